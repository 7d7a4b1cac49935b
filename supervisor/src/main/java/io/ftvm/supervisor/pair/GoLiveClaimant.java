package io.ftvm.supervisor.pair;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.GoLiveClaim;
import io.ftvm.lock.GoLiveDecision;
import io.ftvm.lock.StorageUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the arbiter whether this node may go live for (vm, epoch). Safety over liveness: while
 * shared storage does not answer, nobody may go live, so it keeps asking (the caller keeps holding
 * outputs) rather than ever treating silence as a win.
 */
final class GoLiveClaimant {
  private static final Logger log = LoggerFactory.getLogger(GoLiveClaimant.class);

  /** While storage stays unreachable, repeat the loud log line every this many attempts. */
  private static final int LOG_EVERY_ATTEMPTS = 20;

  /** How a claim ended: won, or lost to the recorded winner. */
  record Outcome(boolean won, String winner) {}

  /** What the caller learns while a claim waits for storage, and when it wants to stop asking. */
  interface Watch {
    Watch NONE = new Watch() {};

    /** Shared storage did not answer attempt number {@code attempt}; the claim will retry. */
    default void storageUnavailable(String problem, int attempt) {}

    /**
     * Asked before every attempt, the first included: a reason to stop asking (then nobody has won
     * for this node), or null to go on.
     */
    default String reasonToStop() {
      return null;
    }
  }

  private final GoLiveArbiter arbiter;
  private final String vmId;
  private final long epoch;
  private final String nodeId;
  private final Duration retry;

  GoLiveClaimant(GoLiveArbiter arbiter, String vmId, long epoch, String nodeId, Duration retry) {
    this.arbiter = arbiter;
    this.vmId = vmId;
    this.epoch = epoch;
    this.nodeId = nodeId;
    this.retry = retry;
  }

  /**
   * Blocks until the arbiter decides.
   *
   * @return empty only if interrupted while storage was unavailable (then nobody won for us)
   */
  Optional<Outcome> claim(String why) {
    return claim(why, Watch.NONE);
  }

  /**
   * Blocks until the arbiter decides, or until {@code watch} gives a reason to stop.
   *
   * @return empty if interrupted or stopped by the watch before a decision (nobody won for us)
   */
  Optional<Outcome> claim(String why, Watch watch) {
    GoLiveClaim claim = new GoLiveClaim(vmId, epoch, nodeId, why, Instant.now());
    for (int attempt = 1; ; attempt++) {
      String stop = watch.reasonToStop();
      if (stop != null) {
        log.warn("not claiming go-live for {} epoch {}: {}", vmId, epoch, stop);
        return Optional.empty();
      }
      try {
        GoLiveDecision decision = arbiter.tryGoLive(claim);
        if (decision.won()) {
          log.info("won go-live for {} epoch {}", vmId, epoch);
          return Optional.of(new Outcome(true, nodeId));
        }
        return Optional.of(new Outcome(false, decision.winner().summary()));
      } catch (StorageUnavailableException e) {
        if (attempt == 1 || attempt % LOG_EVERY_ATTEMPTS == 0) {
          log.error(
              "SHARED STORAGE UNREACHABLE (attempt {}): nobody may go live until it answers, so"
                  + " this node holds its outputs and asks again every {} ms (safety over"
                  + " liveness): {}",
              attempt,
              retry.toMillis(),
              e.getMessage());
        }
        watch.storageUnavailable(e.getMessage(), attempt);
        try {
          Thread.sleep(retry.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }
}
