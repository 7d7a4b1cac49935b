package io.ftvm.supervisor.pair;

import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup takes over: BACKUP_REPLAYING → GOING_LIVE → PRIMARY_ALONE, or HALTED. Steps: (catch up
 * to where the peer said its log ends) → stop taking log → hand QEMU every whole event received →
 * test-and-set (own QEMU checked before and after) → end QEMU's replay stream → wait for QEMU to go
 * live → open the gates and announce the VM on the LAN.
 *
 * <p>Bounded: every wait takes what is left of the go-live deadline, so the node is PRIMARY_ALONE
 * or HALTED within it, plus only the time shared storage was unreachable (then nobody may go live;
 * the node holds its outputs and keeps asking, and says so in its status). Nothing here uses the
 * logging channel after it was told to stop: a go-live never depends on objects it just closed.
 */
final class BackupGoLive {
  private static final Logger log = LoggerFactory.getLogger(BackupGoLive.class);

  /**
   * Once the epoch is won, QEMU's switch to live (3–6 ms measured) always gets at least this long,
   * even if the drain spent the deadline: halting a winner leaves nobody live for the epoch. So the
   * bound is the deadline plus this grace.
   */
  static final Duration WENT_LIVE_GRACE = Duration.ofSeconds(2);

  private final RoleStateMachine roles;
  private final ReplayDrain replayLog;
  private final Replica replica;
  private final GuardedClaim claim;
  private final OutputGates outputs;
  private final LanAnnouncer lan;
  private final NodeHalt halt;
  private final Duration deadline;
  private final Duration peerLogCatchUp;
  private final LongSupplier nanoClock;

  /**
   * @param deadline the go-live bound ({@link PairConfig.Timing#goLiveDeadlineMillis})
   * @param peerLogCatchUp how long to wait for log the peer said it has sent (PEER_FAILED, handoff)
   *     before going live with what arrived; never longer than detecting the loss would have taken
   */
  BackupGoLive(
      RoleStateMachine roles,
      ReplayDrain replayLog,
      Replica replica,
      GuardedClaim claim,
      OutputGates outputs,
      LanAnnouncer lan,
      NodeHalt halt,
      Duration deadline,
      Duration peerLogCatchUp,
      LongSupplier nanoClock) {
    this.roles = roles;
    this.replayLog = replayLog;
    this.replica = replica;
    this.claim = claim;
    this.outputs = outputs;
    this.lan = lan;
    this.halt = halt;
    this.deadline = deadline;
    this.peerLogCatchUp = peerLogCatchUp;
    this.nanoClock = nanoClock;
  }

  /**
   * Runs the whole go-live on the caller's (decision) thread.
   *
   * @param peerLogEnd where the peer said its log ends, if it said so (planned handoff,
   *     PEER_FAILED)
   */
  void run(String why, OptionalLong peerLogEnd) {
    if (!roles.transition(NodeRole.GOING_LIVE, why)) {
      return;
    }
    GoLiveDeadline bound = GoLiveDeadline.start(deadline, nanoClock);
    try {
      if (peerLogEnd.isPresent()) {
        catchUpTo(peerLogEnd.getAsLong(), bound);
      }
      replayLog.stopTaking();
      long received = replayLog.receivedPosition();
      roles.explain(
          why + "; stopped taking log at byte " + received + ", handing QEMU what is left");
      if (!replayLog.awaitFed(bound.remaining())) {
        String failure = replayLog.failure();
        halt.halt(
            "could not hand QEMU the received log within the go-live deadline of "
                + deadline.toMillis()
                + " ms: fed "
                + replayLog.fedPosition()
                + " of "
                + received
                + " bytes"
                + (failure == null ? "" : " (" + failure + ")"));
        return;
      }
      log.info(
          "go-live: QEMU has every whole event up to byte {} ({} ms into GOING_LIVE)",
          replayLog.fedPosition(),
          bound.elapsed().toMillis());
      roles.explain(why + "; replayed " + replayLog.fedPosition() + " bytes, claiming go-live");
      GuardedClaim.Verdict verdict = claim.claim(why, bound);
      log.info("go-live: test-and-set decided ({} ms into GOING_LIVE)", bound.elapsed().toMillis());
      if (!verdict.live()) {
        halt.halt(verdict.haltReason());
        return;
      }
      replayLog.endStream();
      roles.explain(why + "; won go-live, waiting for QEMU to leave replay");
      if (!replica.awaitWentLive(max(bound.remaining(), WENT_LIVE_GRACE))) {
        halt.halt(
            replica.isRunning()
                ? "QEMU did not go live at the end of the replayed log within the go-live deadline"
                    + " of "
                    + deadline.toMillis()
                    + " ms (+"
                    + WENT_LIVE_GRACE.toMillis()
                    + " ms grace after winning)"
                : "QEMU died while going live (" + replica.describe() + ")");
        return;
      }
      outputs.openUnprotected();
      lan.takeOverLan();
      roles.transition(
          NodeRole.PRIMARY_ALONE,
          "live after replaying "
              + replayLog.fedPosition()
              + " bytes of log ("
              + why
              + "); GOING_LIVE took "
              + bound.elapsed().toMillis()
              + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      halt.halt("interrupted while going live");
    }
  }

  private void catchUpTo(long peerLogEnd, GoLiveDeadline bound) throws InterruptedException {
    Duration wait = min(peerLogCatchUp, bound.remaining());
    if (!replayLog.awaitReceived(peerLogEnd, wait)) {
      log.warn(
          "peer's log ends at byte {} but only {} arrived within {} ms; going live with what"
              + " arrived (the peer never released output past what this node acknowledged)",
          peerLogEnd,
          replayLog.receivedPosition(),
          wait.toMillis());
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
