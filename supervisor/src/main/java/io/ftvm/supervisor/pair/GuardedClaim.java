package io.ftvm.supervisor.pair;

import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test-and-set as both go-live transitions make it. A node whose own QEMU is dead must never
 * win: the win would be final for the epoch and leave nobody live, while the peer (whose replica
 * may be fine) loses. So the QEMU is checked right before the claim, before every retry while
 * storage is unreachable, and right after a win. Storage waits show in the status reason and do not
 * count against the go-live deadline.
 */
final class GuardedClaim {
  private static final Logger log = LoggerFactory.getLogger(GuardedClaim.class);

  /** Live: won with a running QEMU. Otherwise the node must halt, for {@code haltReason}. */
  record Verdict(boolean live, String haltReason) {
    static Verdict goLive() {
      return new Verdict(true, null);
    }

    static Verdict halt(String reason) {
      return new Verdict(false, reason);
    }
  }

  private final GoLiveClaimant claimant;
  private final RoleStateMachine roles;
  private final Replica replica;
  private final BooleanSupplier stopRequested;
  private final LongSupplier nanoClock;

  GuardedClaim(
      GoLiveClaimant claimant,
      RoleStateMachine roles,
      Replica replica,
      BooleanSupplier stopRequested,
      LongSupplier nanoClock) {
    this.claimant = claimant;
    this.roles = roles;
    this.replica = replica;
    this.stopRequested = stopRequested;
    this.nanoClock = nanoClock;
  }

  Verdict claim(String why, GoLiveDeadline deadline) {
    if (!replica.isRunning()) {
      return Verdict.halt(
          "own QEMU is not running (" + replica.describe() + "): not claiming go-live");
    }
    String reasonBefore = roles.reason();
    StorageWait wait = new StorageWait(reasonBefore);
    Optional<GoLiveClaimant.Outcome> outcome = claimant.claim(why, wait);
    if (wait.unavailableSinceNanos >= 0) {
      Duration waited = Duration.ofNanos(nanoClock.getAsLong() - wait.unavailableSinceNanos);
      deadline.exclude(waited);
      log.warn("shared storage answered again after {} ms", waited.toMillis());
      roles.explain(reasonBefore);
    }
    if (outcome.isEmpty()) {
      return Verdict.halt(
          wait.stoppedFor != null
              ? wait.stoppedFor
              : "interrupted while waiting for shared storage: nobody won go-live for this node");
    }
    if (!outcome.get().won()) {
      return Verdict.halt("lost go-live to " + outcome.get().winner());
    }
    if (!replica.isRunning()) {
      return Verdict.halt(
          "won go-live but own QEMU died meanwhile ("
              + replica.describe()
              + "): nobody can go live for this epoch");
    }
    return Verdict.goLive();
  }

  /** Shows a storage outage in the status reason; stops asking once QEMU died or admin stops. */
  private final class StorageWait implements GoLiveClaimant.Watch {
    private final String reasonBefore;
    private long unavailableSinceNanos = -1;
    private String stoppedFor;

    StorageWait(String reasonBefore) {
      this.reasonBefore = reasonBefore;
    }

    @Override
    public void storageUnavailable(String problem, int attempt) {
      if (unavailableSinceNanos < 0) {
        unavailableSinceNanos = nanoClock.getAsLong();
      }
      long millis = (nanoClock.getAsLong() - unavailableSinceNanos) / 1_000_000;
      roles.explain(
          "SHARED STORAGE UNREACHABLE for "
              + millis
              + " ms ("
              + attempt
              + " attempts: "
              + problem
              + "): holding outputs and asking again, nobody may go live until it answers ("
              + reasonBefore
              + ")");
    }

    @Override
    public String reasonToStop() {
      if (!replica.isRunning()) {
        stoppedFor =
            "own QEMU is not running (" + replica.describe() + "): stopped claiming go-live";
      } else if (stopRequested.getAsBoolean()) {
        stoppedFor = "stopped by admin while claiming go-live";
      }
      return stoppedFor;
    }
  }
}
