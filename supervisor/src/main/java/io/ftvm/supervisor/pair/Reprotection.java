package io.ftvm.supervisor.pair;

import io.ftvm.lock.PairingRecord;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primary restores redundancy: PRIMARY_ALONE → REPROTECTING → PRIMARY_PROTECTED at the new
 * pairing's epoch, or back to PRIMARY_ALONE with a retry after a backoff.
 *
 * <p>Steps: open the new pairing's stream (FIFO, per-epoch log store, channel session to the joiner
 * at the new epoch) → outputs tagged with its positions (0 until the switch, so they keep flowing)
 * → clone the running VM to the joiner (disk and RAM while it runs, a short pause, then the VM
 * records the new stream) → PRIMARY_PROTECTED: outputs recorded after the switch wait for the new
 * backup's ack → "protected" once the new backup is within the replay bound.
 *
 * <p>Failure before the switch (joiner silent, clone error, timeout, joiner lost, admin stop): the
 * joiner is told (REPROTECT_ABORTED), the stream closed, outputs flow unheld again, PRIMARY_ALONE,
 * next try after the backoff. Failure after the switch: the new backup may already replay the new
 * epoch and may claim it, so this node claims it too (continue alone through the arbiter) and never
 * silently returns to alone. The attempt runs on its own thread; peer losses, stops and QEMU deaths
 * still reach the role-decision thread meanwhile.
 */
final class Reprotection implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reprotection.class);

  /** How long each step may take. */
  record Timeouts(Duration peerConnect, Duration cloning, Duration catchUp) {
    static Timeouts defaults() {
      return new Timeouts(Duration.ofSeconds(15), Duration.ofMinutes(15), Duration.ofMinutes(2));
    }
  }

  /** What {@code status} shows about re-protection. */
  record View(
      boolean running,
      long targetEpoch,
      String joiner,
      ReprotectProgress progress,
      int attempts,
      int succeeded,
      long lastPauseMillis,
      long lastDurationMillis,
      long lastDiskBytes,
      long lastRamBytes,
      String lastFailure,
      int consecutiveFailures,
      long retryInMillis) {}

  private final RoleStateMachine roles;
  private final OutputGates outputs;
  private final ReplicaCloner cloner;
  private final PairingStreams streams;
  private final PrimaryEpochs epochs;
  private final ReprotectBackoff backoff;
  private final Timeouts timeouts;
  private final LongSupplier nanoClock;
  private final ExecutorService worker =
      Executors.newSingleThreadExecutor(r -> daemon(r, "reprotect"));
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "reprotect-timer"));

  private volatile Attempt current;
  private volatile ReprotectProgress lastProgress;
  private volatile long lastAttemptedEpoch = -1;
  private int attempts;
  private int succeeded;
  private volatile ReplicaCloner.Outcome lastOutcome;
  private volatile String lastFailure;

  Reprotection(
      RoleStateMachine roles,
      OutputGates outputs,
      ReplicaCloner cloner,
      PairingStreams streams,
      PrimaryEpochs epochs,
      ReprotectBackoff backoff,
      Timeouts timeouts,
      LongSupplier nanoClock) {
    this.roles = roles;
    this.outputs = outputs;
    this.cloner = cloner;
    this.streams = streams;
    this.epochs = epochs;
    this.backoff = backoff;
    this.timeouts = timeouts;
    this.nanoClock = nanoClock;
  }

  /**
   * Starts re-protecting to the joiner of {@code pairing} if this node is alone, idle, out of
   * backoff, and has not tried this pairing before (an epoch is used for one attempt only).
   *
   * @return why it did not start, or null if it started
   */
  synchronized String start(PairingRecord pairing) {
    if (current != null) {
      return "a re-protection to epoch " + current.pairing.epoch() + " is already running";
    }
    if (pairing.epoch() <= lastAttemptedEpoch) {
      return "pairing epoch " + pairing.epoch() + " was tried already; waiting for a new offer";
    }
    long now = nanoClock.getAsLong();
    if (!backoff.mayStart(now)) {
      return "retrying in " + backoff.remaining(now).toMillis() + " ms (backoff)";
    }
    JoinOffer offer;
    try {
      offer = JoinOffer.parse(pairing.offer());
    } catch (IllegalArgumentException e) {
      lastAttemptedEpoch = pairing.epoch();
      return "unusable offer from " + pairing.joinerNodeId() + ": " + e.getMessage();
    }
    if (!roles.transition(
        NodeRole.REPROTECTING,
        "re-protecting: cloning to "
            + pairing.joinerNodeId()
            + " for epoch "
            + pairing.epoch()
            + " (outputs flow unheld until the switch)")) {
      return "this node is " + roles.role() + ", not alone";
    }
    lastAttemptedEpoch = pairing.epoch();
    attempts++;
    lastProgress = ReprotectProgress.starting("connecting");
    Attempt attempt = new Attempt(pairing, offer, now);
    current = attempt;
    attempt.future = worker.submit(attempt::run);
    return null;
  }

  /** The joiner was lost (or told us it failed) while REPROTECTING. On the decision thread. */
  void peerLost(String why) {
    Attempt attempt = current;
    if (attempt == null) {
      return;
    }
    PairingStream stream = attempt.stream;
    if (stream != null && stream.switched()) {
      log.warn(
          "new backup {} lost after the switch to epoch {}: claiming that epoch ({})",
          attempt.pairing.joinerNodeId(),
          attempt.pairing.epoch(),
          why);
      attempt.failure = "new backup lost after the switch: " + why;
      epochs.continueAloneFor(stream).run("new backup lost after the switch: " + why);
    }
    attempt.cancel("new backup " + attempt.pairing.joinerNodeId() + " lost: " + why);
  }

  /** Admin stop or halt: give up the running attempt, if any. */
  void cancel(String why) {
    Attempt attempt = current;
    if (attempt != null) {
      attempt.cancel(why);
    }
  }

  /** Admin asked for protection now ({@code ftvm protect}): no waiting out the backoff. */
  synchronized void skipBackoff() {
    backoff.reset();
  }

  synchronized boolean isRunning() {
    return current != null;
  }

  synchronized View view() {
    Attempt attempt = current;
    ReplicaCloner.Outcome outcome = lastOutcome;
    long now = nanoClock.getAsLong();
    return new View(
        attempt != null,
        attempt != null ? attempt.pairing.epoch() : -1,
        attempt != null ? attempt.pairing.joinerNodeId() : null,
        attempt != null ? lastProgress : null,
        attempts,
        succeeded,
        outcome != null ? outcome.pause().toMillis() : -1,
        outcome != null ? outcome.total().toMillis() : -1,
        outcome != null ? outcome.diskBytes() : -1,
        outcome != null ? outcome.ramBytes() : -1,
        lastFailure,
        backoff.consecutiveFailures(),
        backoff.consecutiveFailures() > 0 ? backoff.remaining(now).toMillis() : 0);
  }

  /** For tests and shutdown: waits until no attempt runs. */
  boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (isRunning()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }

  @Override
  public void close() {
    cancel("supervisor closing");
    worker.shutdownNow();
    timer.shutdownNow();
  }

  private synchronized Duration nextRetry() {
    return backoff.delayAfter(backoff.consecutiveFailures() + 1);
  }

  private synchronized void finished(Attempt attempt, boolean protectedAgain, String failure) {
    long now = nanoClock.getAsLong();
    if (protectedAgain) {
      succeeded++;
      backoff.reset();
      lastFailure = null;
    } else {
      lastFailure = failure;
      Duration retry = backoff.failed(now);
      log.warn(
          "re-protection to {} (epoch {}) failed after {} ms: {}; next try in {} ms at the earliest"
              + " ({} failures in a row)",
          attempt.pairing.joinerNodeId(),
          attempt.pairing.epoch(),
          (now - attempt.startedNanos) / 1_000_000,
          failure,
          retry.toMillis(),
          backoff.consecutiveFailures());
    }
    current = null;
  }

  private final class Attempt {
    final PairingRecord pairing;
    final JoinOffer offer;
    final long startedNanos;
    volatile Future<?> future;
    volatile PairingStream stream;
    volatile String failure;

    Attempt(PairingRecord pairing, JoinOffer offer, long startedNanos) {
      this.pairing = pairing;
      this.offer = offer;
      this.startedNanos = startedNanos;
    }

    void cancel(String why) {
      if (failure == null) {
        failure = why;
      }
      Future<?> running = future;
      if (running != null) {
        running.cancel(true);
      }
    }

    void run() {
      ScheduledFuture<?> cloneBound = null;
      try {
        stream = streams.open(pairing, offer);
        outputs.holdForNewStream(stream.tagger());
        if (!stream.awaitPeerConnected(timeouts.peerConnect())) {
          throw new ReprotectFailed(
              "joiner "
                  + pairing.joinerNodeId()
                  + " did not open the logging channel for epoch "
                  + pairing.epoch()
                  + " within "
                  + timeouts.peerConnect().toMillis()
                  + " ms");
        }
        cloneBound =
            timer.schedule(
                () ->
                    cancel("clone did not finish within " + timeouts.cloning().toSeconds() + " s"),
                timeouts.cloning().toMillis(),
                TimeUnit.MILLISECONDS);
        progress(ReprotectProgress.starting("copying"));
        ReplicaCloner.Outcome outcome =
            cloner.cloneTo(offer, stream.recordingFifo(), this::progress);
        cloneBound.cancel(false);
        if (Thread.currentThread().isInterrupted() || failure != null) {
          throw new InterruptedException();
        }
        switchedOver(outcome);
      } catch (InterruptedException e) {
        failed(failure != null ? failure : "interrupted");
      } catch (ReprotectFailed e) {
        failed(e.getMessage());
      } catch (Exception e) {
        failed(failure != null ? failure : e.getMessage() != null ? e.getMessage() : e.toString());
      } finally {
        if (cloneBound != null) {
          cloneBound.cancel(false);
        }
      }
    }

    private void progress(ReprotectProgress progress) {
      lastProgress = progress;
      roles.explain(
          "re-protecting: cloning to "
              + pairing.joinerNodeId()
              + " for epoch "
              + pairing.epoch()
              + ": "
              + progress.summary());
    }

    private void switchedOver(ReplicaCloner.Outcome outcome) throws InterruptedException {
      long epoch = pairing.epoch();
      lastOutcome = outcome;
      // First: a loss reported as soon as the role says PRIMARY_PROTECTED must claim the new epoch
      // with the new stream, never the old pairing's (which this node may own already).
      epochs.adopt(stream, outcome);
      if (!roles.transition(
          NodeRole.PRIMARY_PROTECTED,
          "protected at epoch "
              + epoch
              + " by "
              + pairing.joinerNodeId()
              + " (switch paused the VM "
              + outcome.pause().toMillis()
              + " ms); backup catching up")) {
        // Halted, or the new backup was lost and this node went through the arbiter meanwhile.
        finished(this, false, failure != null ? failure : "role changed to " + roles.role());
        return;
      }
      log.info(
          "RE-PROTECTED at epoch {} by {}: pause {} ms, disk {} bytes, RAM {} bytes, {} ms in all",
          epoch,
          pairing.joinerNodeId(),
          outcome.pause().toMillis(),
          outcome.diskBytes(),
          outcome.ramBytes(),
          outcome.total().toMillis());
      finished(this, true, null);
      if (stream.awaitCaughtUp(timeouts.catchUp())) {
        roles.explain(
            "protected at epoch "
                + epoch
                + " by "
                + pairing.joinerNodeId()
                + " (re-protected; backup within the replay bound)");
      } else {
        log.warn(
            "new backup {} not within the replay bound {} s after the switch (acked {} bytes)",
            pairing.joinerNodeId(),
            timeouts.catchUp().toSeconds(),
            stream.ackedPosition());
      }
    }

    private void failed(String why) {
      PairingStream opened = stream;
      if (opened != null && opened.switched()) {
        // The VM records the new epoch already: the joiner may replay it and claim it.
        if (roles.role() == NodeRole.REPROTECTING) {
          epochs.continueAloneFor(opened).run("re-protection failed after the switch: " + why);
        }
        finished(this, false, why);
        return;
      }
      if (opened != null) {
        opened.abandon(why);
      }
      outputs.openUnprotected();
      roles.transition(
          NodeRole.PRIMARY_ALONE,
          "alone, UNPROTECTED: re-protection to "
              + pairing.joinerNodeId()
              + " (epoch "
              + pairing.epoch()
              + ") failed: "
              + why
              + "; next try in "
              + nextRetry().toSeconds()
              + " s at the earliest");
      finished(this, false, why);
    }
  }

  private static final class ReprotectFailed extends Exception {
    ReprotectFailed(String message) {
      super(message);
    }
  }

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }
}
