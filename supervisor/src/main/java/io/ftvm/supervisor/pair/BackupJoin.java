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

  /**
   * How long each step may take, the pause between attempts, and how often a joiner waiting for its
   * primary asks who the primary is (it may have changed: a failover while waiting).
   */
  record Timeouts(
      Duration primaryArrives, Duration cloning, Duration retryPause, Duration primaryRecheck) {
    Timeouts(Duration primaryArrives, Duration cloning, Duration retryPause) {
      this(primaryArrives, cloning, retryPause, Duration.ofSeconds(2));
    }

    static Timeouts defaults() {
      return new Timeouts(Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofSeconds(2));
    }
  }

  private final NodeIds ids;
  private final RoleStateMachine roles;
  private final ReplicaState state;
  private final CloneTargets targets;
  private final PairingLedger ledger;
  private final PrimaryLocator primaries;
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
      PrimaryLocator primaries,
      JoinSessions sessions,
      BackupEpochs epochs,
      Timeouts timeouts,
      BooleanSupplier stopRequested) {
    this.ids = ids;
    this.roles = roles;
    this.state = state;
    this.targets = targets;
    this.ledger = ledger;
    this.primaries = primaries;
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
      // Who clones this node: its channel admits only that node's certificate.
      String primary = primaries.currentPrimary();
      if (primary.equals(ids.node())) {
        return fail(
            null,
            null,
            "shared storage names this node as the last primary: no other node runs the VM to"
                + " clone from");
      }
      String discarded = state.discard();
      log.info(
          "joining as a new backup of {} (primary {}): discarded {}",
          ids.vmId(),
          primary,
          discarded);
      target = targets.launch();
      JoinOffer offer = target.listen();
      PairingRecord pairing =
          ledger.reserveNext(ids.vmId(), ids.node(), offer.toLine(), ids.epoch() + 1);
      long epoch = pairing.epoch();
      session = sessions.listen(epoch, primary);
      roles.explain(
          "joining: offered epoch "
              + epoch
              + " ("
              + offer.toLine()
              + "); waiting for primary "
              + primary);
      String missing = awaitPrimary(session, primary, epoch);
      if (missing != null) {
        return fail(target, session, missing);
      }
      if (!roles.transition(
          NodeRole.CLONING, "being cloned by " + primary + " for epoch " + epoch)) {
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
      epochs.adopt(epoch, primary, target, session);
      if (!roles.transition(
          NodeRole.BACKUP_REPLAYING,
          "replaying epoch " + epoch + " (cloned from " + primary + ")")) {
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

  /**
   * Waits for {@code primary}'s session, asking now and then whether it is still the primary: one
   * that failed over meanwhile never comes, and the new one cannot pass this session's certificate
   * check, so the attempt ends and the next offers itself to the new primary.
   *
   * @return null once the primary connected, else why the attempt ends
   */
  private String awaitPrimary(JoinSessions.Session session, String primary, long epoch)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeouts.primaryArrives().toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Duration slice =
          Duration.ofNanos(Math.max(0, Math.min(left, timeouts.primaryRecheck().toNanos())));
      if (session.awaitPrimary(slice)) {
        return null;
      }
      if (System.nanoTime() - deadline >= 0) {
        return "primary "
            + primary
            + " did not connect for epoch "
            + epoch
            + " within "
            + timeouts.primaryArrives().toSeconds()
            + " s";
      }
      if (stopRequested.getAsBoolean()) {
        return "stopped while waiting for primary " + primary;
      }
      try {
        String now = primaries.currentPrimary();
        if (!now.equals(primary)) {
          return "the primary is now "
              + now
              + " (was "
              + primary
              + " when epoch "
              + epoch
              + " was offered)";
        }
      } catch (StorageUnavailableException e) {
        log.debug("cannot tell who is primary now: {}", e.getMessage());
      }
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
