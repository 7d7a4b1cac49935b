package io.ftvm.supervisor.pair;

import io.ftvm.channel.ControlMessage;
import io.ftvm.fencing.OutputGate;
import io.ftvm.fencing.ProcessIdentity;
import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.GoLiveClaim;
import io.ftvm.lock.GoLiveDecision;
import io.ftvm.lock.GoLiveRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fakes for the role transitions' dependencies. Each records what was done to it in one shared
 * {@link Steps} list, so a test can check the order of the steps across dependencies.
 */
final class TransitionFakes {
  private TransitionFakes() {}

  static final NodeIds IDS = new NodeIds("vm1", 3, "b", "a");

  /** The order in which the transition touched its dependencies. */
  static final class Steps {
    final List<String> done = new CopyOnWriteArrayList<>();

    void add(String step) {
      done.add(step);
    }
  }

  static final class FakeReplica implements Replica {
    final Steps steps;
    volatile boolean running = true;
    volatile boolean goesLive = true;

    /** How long QEMU takes to leave replay once its stream ended. */
    volatile Duration wentLiveTakes = Duration.ZERO;

    volatile Optional<ProcessIdentity> process = Optional.empty();
    volatile boolean launchesRefused;
    volatile boolean failResume;

    FakeReplica(Steps steps) {
      this.steps = steps;
    }

    @Override
    public boolean isRunning() {
      return running;
    }

    @Override
    public String describe() {
      return running ? "QEMU running" : "QEMU exited with status 137";
    }

    @Override
    public void pause() {
      steps.add("pause");
    }

    @Override
    public void resume() throws IOException {
      steps.add("resume");
      if (failResume) {
        throw new IOException("QMP gone");
      }
    }

    @Override
    public boolean awaitWentLive(Duration timeout) throws InterruptedException {
      steps.add("awaitWentLive");
      if (goesLive && running && wentLiveTakes.compareTo(timeout) <= 0) {
        Thread.sleep(wentLiveTakes.toMillis());
        return true;
      }
      Thread.sleep(timeout.toMillis());
      return false;
    }

    @Override
    public Optional<ProcessIdentity> refuseLaunchesAndGetProcess() {
      steps.add("refuseLaunches");
      launchesRefused = true;
      return process;
    }
  }

  static final class FakeDrain implements ReplayDrain {
    final Steps steps;
    final AtomicLong received = new AtomicLong(1000);
    volatile long fed;

    /** How long awaitFed takes at most before it would succeed; beyond its timeout it fails. */
    volatile Duration drainTakes = Duration.ZERO;

    FakeDrain(Steps steps) {
      this.steps = steps;
    }

    @Override
    public long receivedPosition() {
      return received.get();
    }

    @Override
    public boolean awaitReceived(long position, Duration timeout) throws InterruptedException {
      steps.add("awaitReceived " + position);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (received.get() < position) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(1);
      }
      return true;
    }

    @Override
    public void stopTaking() {
      steps.add("stopTaking");
    }

    @Override
    public boolean awaitFed(Duration timeout) throws InterruptedException {
      steps.add("awaitFed");
      if (drainTakes.compareTo(timeout) > 0) {
        Thread.sleep(timeout.toMillis());
        return false;
      }
      Thread.sleep(drainTakes.toMillis());
      fed = received.get();
      return true;
    }

    @Override
    public long fedPosition() {
      return fed;
    }

    @Override
    public String failure() {
      return null;
    }

    @Override
    public void endStream() {
      steps.add("endStream");
    }
  }

  /** A gate that remembers when it was closed and what else was true at that moment. */
  static final class FakeGate implements OutputGate {
    final String name;
    final Steps steps;
    volatile boolean closed;
    volatile Runnable onClose = () -> {};

    FakeGate(String name, Steps steps) {
      this.name = name;
      this.steps = steps;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        steps.add("close " + name);
        onClose.run();
      }
    }

    @Override
    public boolean isClosed() {
      return closed;
    }
  }

  static final class FakeOutputs implements OutputGates {
    final Steps steps;
    final FakeGate network;
    final FakeGate console;
    volatile boolean open;

    FakeOutputs(Steps steps) {
      this.steps = steps;
      this.network = new FakeGate("network", steps);
      this.console = new FakeGate("console", steps);
    }

    @Override
    public void openUnprotected() {
      steps.add("openGates");
      open = true;
    }

    @Override
    public void holdForNewStream(OutputTagger newStream) {
      steps.add("holdForNewStream");
      open = false;
    }

    @Override
    public List<OutputGate> gates() {
      return List.of(network, console);
    }
  }

  static final class FakePeer implements PeerLink {
    final Steps steps;
    final List<ControlMessage> sent = new CopyOnWriteArrayList<>();
    volatile boolean session = true;

    FakePeer(Steps steps) {
      this.steps = steps;
    }

    @Override
    public boolean send(ControlMessage message) {
      steps.add("send " + message.type() + " " + message.position());
      if (session) {
        sent.add(message);
      }
      return session;
    }

    @Override
    public void disconnect() {
      steps.add("disconnect");
    }
  }

  static class FakePrimaryLog implements PrimaryLog {
    final Steps steps;
    volatile long stored = 5000;
    volatile boolean acks = true;

    FakePrimaryLog(Steps steps) {
      this.steps = steps;
    }

    @Override
    public long storedPosition() {
      return stored;
    }

    @Override
    public long positionAfterPause(Duration timeout) {
      steps.add("positionAfterPause");
      return stored;
    }

    @Override
    public boolean awaitAcked(long position, Duration timeout) {
      steps.add("awaitAcked " + position);
      return acks;
    }

    @Override
    public void stopShipping() {
      steps.add("stopShipping");
    }
  }

  /**
   * Answers claims from a script: a winner's node id, or null for "storage unavailable"; runs a
   * hook at each claim (e.g. the QEMU dies meanwhile).
   */
  static final class ScriptedArbiter implements GoLiveArbiter {
    final Steps steps;
    private final Deque<String> answers = new ArrayDeque<>();
    final List<Instant> calls = new ArrayList<>();

    /** The epoch of every claim, in order. */
    final List<Long> claimedEpochs = new CopyOnWriteArrayList<>();

    volatile Runnable duringClaim = () -> {};

    ScriptedArbiter(Steps steps) {
      this.steps = steps;
    }

    ScriptedArbiter answer(String winnerOrNullForUnavailable) {
      answers.add(winnerOrNullForUnavailable == null ? "" : winnerOrNullForUnavailable);
      return this;
    }

    @Override
    public synchronized GoLiveDecision tryGoLive(GoLiveClaim claim)
        throws StorageUnavailableException {
      calls.add(Instant.now());
      claimedEpochs.add(claim.epoch());
      duringClaim.run();
      String winner = answers.isEmpty() ? claim.nodeId() : answers.removeFirst();
      if (winner.isEmpty()) {
        steps.add("claim: storage unavailable");
        throw new StorageUnavailableException("shared storage /nfs did not answer within 2s");
      }
      steps.add("claim: " + winner + " wins");
      return GoLiveDecision.decide(
          claim,
          GoLiveRecord.of(
              new GoLiveClaim(claim.vmId(), claim.epoch(), winner, "first", Instant.EPOCH)));
    }

    @Override
    public Optional<GoLiveRecord> winner(String vmId, long epoch) {
      return Optional.empty();
    }

    @Override
    public long highestEpoch(String vmId) {
      return NO_EPOCH;
    }

    @Override
    public void checkReachable() {}

    @Override
    public String describe() {
      return "scripted";
    }

    @Override
    public void close() {}
  }

  /** The new pairing's stream: connects, switches and catches up as the test says. */
  static final class FakePairingStream extends FakePrimaryLog implements PairingStream {
    final long epoch;
    volatile boolean peerConnects = true;
    volatile boolean switched;
    volatile boolean catchesUp = true;
    volatile boolean abandoned;

    FakePairingStream(Steps steps, long epoch) {
      super(steps);
      this.epoch = epoch;
      this.stored = 0;
    }

    @Override
    public long epoch() {
      return epoch;
    }

    @Override
    public java.nio.file.Path recordingFifo() {
      return java.nio.file.Path.of("/run/ftvm/replay-epoch-" + epoch + ".fifo");
    }

    @Override
    public OutputTagger tagger() {
      return () -> stored;
    }

    @Override
    public boolean awaitPeerConnected(Duration timeout) throws InterruptedException {
      steps.add("awaitPeerConnected");
      if (!peerConnects) {
        Thread.sleep(timeout.toMillis());
      }
      return peerConnects;
    }

    @Override
    public boolean switched() {
      return switched;
    }

    @Override
    public boolean awaitCaughtUp(Duration timeout) {
      steps.add("awaitCaughtUp");
      return catchesUp;
    }

    @Override
    public long ackedPosition() {
      return catchesUp ? stored : 0;
    }

    @Override
    public void abandon(String why) {
      steps.add("abandon");
      abandoned = true;
    }
  }

  /**
   * Clones as scripted: after {@code takes}, optionally switching the stream first, then either
   * returns or throws {@code fails}.
   */
  static final class FakeCloner implements ReplicaCloner {
    final Steps steps;
    volatile Duration takes = Duration.ZERO;
    volatile boolean switchesBeforeReturning = true;
    volatile IOException fails;
    volatile FakePairingStream stream;
    final java.util.concurrent.CountDownLatch copying = new java.util.concurrent.CountDownLatch(1);

    FakeCloner(Steps steps) {
      this.steps = steps;
    }

    @Override
    public Outcome cloneTo(
        JoinOffer target,
        java.nio.file.Path newRecordingFifo,
        java.util.function.Consumer<ReprotectProgress> progress)
        throws IOException, InterruptedException {
      steps.add("clone to " + target.migration().getHostString());
      progress.accept(
          new ReprotectProgress(
              "disk", 64L << 20, 256L << 20, 0, 0, 32.0 * (1 << 20), Duration.ofSeconds(6)));
      copying.countDown();
      Thread.sleep(takes.toMillis());
      if (switchesBeforeReturning && stream != null) {
        stream.switched = true;
        stream.stored = 4096;
      }
      if (fails != null) {
        throw fails;
      }
      return new Outcome(Duration.ofMillis(180), 256L << 20, 300L << 20, Duration.ofSeconds(9));
    }
  }
}
