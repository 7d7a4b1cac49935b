package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.PairingRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackupJoinTest {
  private final List<String> steps = new CopyOnWriteArrayList<>();
  private final RoleStateMachine roles = new RoleStateMachine();
  private final List<String> reasons = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final FakeLedger ledger = new FakeLedger();
  private final FakeTargets targets = new FakeTargets();
  private final FakeSessions sessions = new FakeSessions();
  private final List<Long> adopted = new ArrayList<>();

  /** Who shared storage says is primary, one answer per question; the last one stays. */
  private final List<String> primaries = new CopyOnWriteArrayList<>();

  private final AtomicInteger lookupsBeforeStop = new AtomicInteger(Integer.MAX_VALUE);

  /** The arbiter that says who is primary does not answer (it may differ from the ledger's). */
  private volatile boolean locatorUnavailable;

  {
    roles.onChange((from, to) -> reasons.add(to + ": " + roles.reason()));
  }

  /** Failed attempts (each ends by killing its target) after which the test stops the node. */
  private volatile int maxAttempts;

  private final AtomicInteger kills = new AtomicInteger();

  private BackupJoin join(int attempts) {
    maxAttempts = attempts;
    ReplicaState state =
        () -> {
          steps.add("discard");
          return "everything";
        };
    BackupEpochs epochs =
        new BackupEpochs() {
          @Override
          public Path replayFifo(long epoch) {
            return Path.of("/state/replay-epoch-" + epoch + ".fifo");
          }

          @Override
          public void adopt(
              long epoch, String primary, CloneTargets.Target target, JoinSessions.Session s) {
            steps.add("adopt " + epoch + " from " + primary);
            adopted.add(epoch);
          }
        };
    return new BackupJoin(
        new NodeIds("vm1", 1, "a", "b"),
        roles,
        state,
        targets,
        ledger,
        () -> {
          if (lookupsBeforeStop.decrementAndGet() <= 0) {
            stop.set(true);
          }
          if (locatorUnavailable) {
            throw new StorageUnavailableException("/nfs did not answer within 2s");
          }
          return primaries.isEmpty()
              ? "b"
              : primaries.size() == 1 ? primaries.get(0) : primaries.remove(0);
        },
        sessions,
        epochs,
        new BackupJoin.Timeouts(
            Duration.ofMillis(100), Duration.ofMillis(300), Duration.ZERO, Duration.ofMillis(20)),
        stop::get);
  }

  @Test
  void aRestartedNodeDiscardsItsStateOffersANewEpochAndReplaysItOnceCloned() throws Exception {
    ledger.highest = 1; // b won epoch 1 when this node was fenced

    assertThat(join(10).run()).isTrue();

    assertThat(roles.role()).isEqualTo(NodeRole.BACKUP_REPLAYING);
    assertThat(steps)
        .containsExactly(
            "discard",
            "launch target",
            "listen",
            "reserve 2 by a",
            "session 2 expecting b",
            "await primary",
            "awaitCloned",
            "follow /state/replay-epoch-2.fifo",
            "adopt 2 from b");
    assertThat(ledger.offers)
        .containsExactly("nbd=10.77.1.1:10810 export=ftvm-disk migration=10.77.1.1:10811");
    assertThat(reasons)
        .containsSubsequence(
            "JOINING: joining as a new backup: discarding old state",
            "CLONING: being cloned by b for epoch 2",
            "BACKUP_REPLAYING: replaying epoch 2 (cloned from b)");
  }

  @Test
  void aPrimaryThatNeverComesBurnsTheEpochAndTheNextAttemptStartsEmptyAgain() throws Exception {
    sessions.primaryArrives = false;

    assertThat(join(3).run()).isFalse();

    assertThat(ledger.reserved).as("above the configured epoch 1").containsExactly(2L, 3L, 4L);
    assertThat(steps.stream().filter("discard"::equals)).hasSize(3);
    assertThat(steps.stream().filter("kill target"::equals)).hasSize(3);
    assertThat(steps).contains("abort: primary b did not connect for epoch 2 within 0 s");
    assertThat(roles.role()).isEqualTo(NodeRole.JOINING);
    assertThat(adopted).isEmpty();
  }

  @Test
  void aSpareLearnsWhoIsPrimaryAndIsClonedByIt() throws Exception {
    primaries.add("c"); // c went live after b failed; this node is a spare or the old a
    ledger.highest = 2;

    assertThat(join(10).run()).isTrue();

    assertThat(steps).contains("session 3 expecting c", "adopt 3 from c");
    assertThat(reasons)
        .containsSubsequence(
            "CLONING: being cloned by c for epoch 3",
            "BACKUP_REPLAYING: replaying epoch 3 (cloned from c)");
  }

  @Test
  void aFailoverWhileWaitingEndsTheAttemptAndTheNextOneExpectsTheNewPrimary() throws Exception {
    sessions.primaryArrives = false;
    primaries.addAll(List.of("b", "c"));

    join(1).run();

    assertThat(steps)
        .contains(
            "session 2 expecting b",
            "abort: the primary is now c (was b when epoch 2 was offered)",
            "kill target");
    assertThat(roles.role()).isEqualTo(NodeRole.JOINING);
    assertThat(adopted).isEmpty();
  }

  @Test
  void aNodeThatWasTheLastPrimaryItselfHasNobodyToCloneFrom() throws Exception {
    primaries.add("a");
    lookupsBeforeStop.set(2);

    join(10).run();

    assertThat(steps).doesNotContain("discard").noneMatch(s -> s.startsWith("reserve"));
    assertThat(roles.reason()).contains("shared storage names this node as the last primary");
  }

  @Test
  void aPrimaryThatGivesUpMidCloneSendsTheJoinerBackToJoiningNeverReplaying() throws Exception {
    targets.clonedAfterPolls = Integer.MAX_VALUE;
    sessions.abortAfterPolls = 2;

    join(1).run();

    assertThat(reasons)
        .contains("JOINING: clone failed: primary gave up: REPROTECT_ABORTED epoch 2");
    assertThat(steps).contains("kill target").doesNotContain("adopt 2 from b");
    assertThat(roles.role()).isEqualTo(NodeRole.JOINING);
  }

  @Test
  void aCloneThatNeverArrivesTimesOut() throws Exception {
    targets.clonedAfterPolls = Integer.MAX_VALUE;

    join(1).run();

    assertThat(steps).contains("abort: clone did not arrive within 0 s", "kill target");
    assertThat(adopted).isEmpty();
  }

  @Test
  void unreachableStorageMeansNoOfferAndAnotherTry() throws Exception {
    ledger.unavailable = true;

    join(2).run();

    assertThat(steps).doesNotContain("session 2 expecting b");
    assertThat(steps.stream().filter("kill target"::equals)).hasSize(2);
    assertThat(roles.reason()).contains("shared storage unreachable");
  }

  @Test
  void notKnowingWhoIsPrimaryMeansNoOfferAndAnotherTry() throws Exception {
    locatorUnavailable = true;
    lookupsBeforeStop.set(2);

    join(10).run();

    assertThat(steps).doesNotContain("discard", "launch target");
    assertThat(ledger.reserved).isEmpty();
    assertThat(roles.reason()).contains("shared storage unreachable");
  }

  @Test
  void aHaltedNodeNeverJoins() throws Exception {
    roles.transition(NodeRole.HALTED, "fenced");

    assertThat(join(5).run()).isFalse();

    assertThat(steps).isEmpty();
  }

  private final class FakeLedger implements PairingLedger {
    long highest = GoLiveArbiter.NO_EPOCH;
    boolean unavailable;
    final List<Long> reserved = new ArrayList<>();
    final List<String> offers = new ArrayList<>();

    @Override
    public PairingRecord reserveNext(String vmId, String joiner, String offer, long atLeast)
        throws StorageUnavailableException {
      if (unavailable) {
        throw new StorageUnavailableException("/nfs did not answer within 2s");
      }
      highest = Math.max(highest + 1, atLeast);
      reserved.add(highest);
      offers.add(offer);
      steps.add("reserve " + highest + " by " + joiner);
      return new PairingRecord(vmId, highest, joiner, offer, Instant.now());
    }

    @Override
    public Optional<PairingRecord> latest(String vmId) {
      return Optional.empty();
    }

    @Override
    public long highestEpoch(String vmId) {
      return highest;
    }
  }

  private final class FakeTargets implements CloneTargets {
    volatile int clonedAfterPolls = 1;

    @Override
    public Target launch() {
      steps.add("launch target");
      AtomicInteger polls = new AtomicInteger();
      return new Target() {
        @Override
        public JoinOffer listen() {
          steps.add("listen");
          return new JoinOffer(
              InetSocketAddress.createUnresolved("10.77.1.1", 10810),
              "ftvm-disk",
              InetSocketAddress.createUnresolved("10.77.1.1", 10811));
        }

        @Override
        public boolean awaitCloned(Duration timeout) throws InterruptedException {
          if (polls.get() == 0) {
            steps.add("awaitCloned");
          }
          sessions.polls.incrementAndGet();
          if (polls.incrementAndGet() >= clonedAfterPolls) {
            return true;
          }
          Thread.sleep(timeout.toMillis());
          return false;
        }

        @Override
        public void startFollowing(Path replayFifo) {
          steps.add("follow " + replayFifo);
        }

        @Override
        public void kill() {
          steps.add("kill target");
          if (kills.incrementAndGet() >= maxAttempts) {
            stop.set(true);
          }
        }
      };
    }
  }

  private final class FakeSessions implements JoinSessions {
    volatile boolean primaryArrives = true;
    volatile int abortAfterPolls = Integer.MAX_VALUE;
    final AtomicInteger polls = new AtomicInteger();

    @Override
    public Session listen(long epoch, String primary) throws IOException {
      steps.add("session " + epoch + " expecting " + primary);
      polls.set(0);
      return new Session() {
        @Override
        public boolean awaitPrimary(Duration timeout) throws InterruptedException {
          if (!steps.get(steps.size() - 1).equals("await primary")) {
            steps.add("await primary");
          }
          if (!primaryArrives) {
            Thread.sleep(timeout.toMillis());
          }
          return primaryArrives;
        }

        @Override
        public String aborted() {
          return polls.get() >= abortAfterPolls ? "REPROTECT_ABORTED epoch " + epoch : null;
        }

        @Override
        public void abort(String why) {
          steps.add("abort: " + why);
        }
      };
    }
  }
}
