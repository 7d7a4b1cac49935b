package io.ftvm.supervisor.pair;

import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.PairingRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node (re)joins as the new backup: STARTING → JOINING → CLONING → BACKUP_REPLAYING. It never
 * trusts what it had: every attempt discards its old disk copy and logs, starts an empty clone
 * target, reserves a fresh pairing epoch on shared storage with its offer (where the primary finds
 * it), listens on the logging channel at that epoch, lets the primary clone into the target, and
 * then follows the new pairing's log from its first byte.
 *
 * <p>A failed attempt (primary never came, clone error or timeout, primary aborted or lost, storage
 * unreachable) kills the half-cloned VM, goes back to JOINING and, after a pause, offers itself
 * again with a new epoch (an epoch serves one attempt). While JOINING or CLONING this node never
 * claims go-live: it has no complete replica.
 */
final class BackupJoin {
  private static final Logger log = LoggerFactory.getLogger(BackupJoin.class);
  private static final Duration CLONE_POLL = Duration.ofMillis(200);

  /** How long each step may take, and the pause between attempts. */
  record Timeouts(Duration primaryArrives, Duration cloning, Duration retryPause) {
    static Timeouts defaults() {
      return new Timeouts(Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(2));
    }
  }

  private final NodeIds ids;
  private final RoleStateMachine roles;
  private final ReplicaState state;
  private final CloneTargets targets;
  private final PairingLedger ledger;
  private final JoinSessions sessions;
  private final BackupEpochs epochs;
  private final Timeouts timeouts;
  private final BooleanSupplier stopRequested;
  private volatile int attempts;

  BackupJoin(
      NodeIds ids,
      RoleStateMachine roles,
      ReplicaState state,
      CloneTargets targets,
      PairingLedger ledger,
      JoinSessions sessions,
      BackupEpochs epochs,
      Timeouts timeouts,
      BooleanSupplier stopRequested) {
    this.ids = ids;
    this.roles = roles;
    this.state = state;
    this.targets = targets;
    this.ledger = ledger;
    this.sessions = sessions;
    this.epochs = epochs;
    this.timeouts = timeouts;
    this.stopRequested = stopRequested;
  }

  int attempts() {
    return attempts;
  }

  /**
   * Joins until this node replays a new pairing (true), or it was stopped or halted (false). Runs
   * on the caller's thread (a dedicated one: it waits for minutes).
   */
  boolean run() throws InterruptedException {
    while (!stopRequested.getAsBoolean()) {
      if (roles.role() != NodeRole.JOINING
          && !roles.transition(NodeRole.JOINING, "joining as a new backup: discarding old state")) {
        return false; // halted meanwhile
      }
      attempts++;
      String failure = attempt();
      if (failure == null) {
        return true;
      }
      if (roles.role() == NodeRole.HALTED) {
        return false;
      }
      if (roles.role() == NodeRole.CLONING) {
        roles.transition(NodeRole.JOINING, "clone failed: " + failure);
      }
      roles.explain(
          "joining: attempt "
              + attempts
              + " failed ("
              + failure
              + "); offering again in "
              + timeouts.retryPause().toSeconds()
              + " s");
      log.warn("join attempt {} failed: {}", attempts, failure);
      Thread.sleep(timeouts.retryPause().toMillis());
    }
    return false;
  }

  /** One attempt; null on success, else why it failed. */
  private String attempt() throws InterruptedException {
    CloneTargets.Target target = null;
    JoinSessions.Session session = null;
    try {
      String discarded = state.discard();
      log.info("joining as a new backup of {}: discarded {}", ids.vmId(), discarded);
      target = targets.launch();
      JoinOffer offer = target.listen();
      PairingRecord pairing =
          ledger.reserveNext(ids.vmId(), ids.node(), offer.toLine(), ids.epoch() + 1);
      long epoch = pairing.epoch();
      session = sessions.listen(epoch);
      roles.explain(
          "joining: offered epoch "
              + epoch
              + " ("
              + offer.toLine()
              + "); waiting for primary "
              + ids.peer());
      if (!session.awaitPrimary(timeouts.primaryArrives())) {
        return fail(
            target,
            session,
            "primary "
                + ids.peer()
                + " did not connect for epoch "
                + epoch
                + " within "
                + timeouts.primaryArrives().toSeconds()
                + " s");
      }
      if (!roles.transition(
          NodeRole.CLONING, "being cloned by " + ids.peer() + " for epoch " + epoch)) {
        return fail(target, session, "role changed to " + roles.role());
      }
      long deadline = System.nanoTime() + timeouts.cloning().toNanos();
      while (!target.awaitCloned(CLONE_POLL)) {
        String aborted = session.aborted();
        if (aborted != null) {
          return fail(target, null, "primary gave up: " + aborted);
        }
        if (stopRequested.getAsBoolean() || roles.role() != NodeRole.CLONING) {
          return fail(target, session, "stopped while being cloned");
        }
        if (System.nanoTime() - deadline > 0) {
          return fail(
              target,
              session,
              "clone did not arrive within " + timeouts.cloning().toSeconds() + " s");
        }
      }
      target.startFollowing(epochs.replayFifo(epoch));
      epochs.adopt(epoch, target, session);
      if (!roles.transition(
          NodeRole.BACKUP_REPLAYING,
          "replaying epoch " + epoch + " (cloned from " + ids.peer() + ")")) {
        return fail(target, session, "role changed to " + roles.role());
      }
      return null;
    } catch (StorageUnavailableException e) {
      return fail(target, session, "shared storage unreachable: " + e.getMessage());
    } catch (IOException e) {
      return fail(target, session, e.getMessage());
    } catch (InterruptedException e) {
      fail(target, session, "interrupted");
      throw e;
    }
  }

  private static String fail(CloneTargets.Target target, JoinSessions.Session session, String why) {
    if (session != null) {
      session.abort(why);
    }
    if (target != null) {
      target.kill();
    }
    return why;
  }
}
