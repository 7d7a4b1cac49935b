package io.ftvm.supervisor.pair;

import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Planned switchover, on the primary: pause the VM, wait until the log covers everything it did and
 * the backup acknowledged all of it (so every held output was released), send HANDOFF_REQUEST with
 * the log's end, then halt; the backup goes live from exactly there. If any step fails before the
 * request was sent, the VM resumes and the node stays the protected primary.
 */
final class PlannedHandoff {
  private static final Logger log = LoggerFactory.getLogger(PlannedHandoff.class);

  /** How long each step may take. */
  record Timeouts(Duration logDrain, Duration ack) {
    static Timeouts defaults() {
      return new Timeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));
    }
  }

  private final NodeIds ids;
  private final RoleStateMachine roles;
  private final Replica replica;
  private final PrimaryLog primaryLog;
  private final PeerLink peer;
  private final NodeHalt halt;
  private final Timeouts timeouts;

  PlannedHandoff(
      NodeIds ids,
      RoleStateMachine roles,
      Replica replica,
      PrimaryLog primaryLog,
      PeerLink peer,
      NodeHalt halt,
      Timeouts timeouts) {
    this.ids = ids;
    this.roles = roles;
    this.replica = replica;
    this.primaryLog = primaryLog;
    this.peer = peer;
    this.halt = halt;
    this.timeouts = timeouts;
  }

  /**
   * @return a one-line summary ("handed off at log byte N")
   * @throws IllegalStateException if this node is not a protected primary
   * @throws Exception if a step failed; the VM then runs on, still protected
   */
  String run() throws Exception {
    if (roles.role() != NodeRole.PRIMARY_PROTECTED) {
      throw new IllegalStateException(
          "failover needs a protected primary; this node is " + roles.role());
    }
    replica.pause();
    long end;
    try {
      end = primaryLog.positionAfterPause(timeouts.logDrain());
      if (!primaryLog.awaitAcked(end, timeouts.ack())) {
        throw new IOException(
            "backup did not acknowledge the log up to " + end + " within " + timeouts.ack());
      }
      if (!peer.send(new ControlMessage(ControlType.HANDOFF_REQUEST, end))) {
        throw new IOException("no session to " + ids.peer() + ": handoff request not sent");
      }
    } catch (Exception e) {
      resumeAfterFailure(e);
      throw e;
    }
    halt.halt("planned failover: handed off to " + ids.peer() + " at byte " + end);
    return "handed off at log byte " + end;
  }

  private void resumeAfterFailure(Exception cause) {
    log.error(
        "planned failover failed ({}); resuming the VM as protected primary", cause.toString());
    try {
      replica.resume();
    } catch (IOException | RuntimeException e) {
      log.error("could not resume the VM after a failed handoff: {}", e.toString());
    }
  }
}
