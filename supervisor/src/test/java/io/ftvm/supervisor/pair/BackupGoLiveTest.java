package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class BackupGoLiveTest {
  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private final TransitionRig rig = new TransitionRig().asBackup();

  @Test
  void goesLiveInTheOrderThatKeepsTheOutputRule() {
    rig.goLive(DEADLINE);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.steps.done)
        .containsExactly(
            "stopTaking",
            "awaitFed",
            "claim: b wins",
            "endStream",
            "awaitWentLive",
            "openGates",
            "announce");
    assertThat(rig.roles.reason()).contains("live after replaying 1000 bytes of log");
  }

  /** Issue 7 bug 2: a drain that never finishes used to keep the node GOING_LIVE for minutes. */
  @Test
  void aDrainThatOutlastsTheDeadlineHaltsTheNodeWithinTheDeadline() {
    rig.drain.drainTakes = Duration.ofMinutes(2);
    Duration deadline = Duration.ofMillis(300);

    long start = System.nanoTime();
    rig.goLive(deadline);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.roles.reason()).contains("go-live deadline of 300 ms");
    assertThat(took).isBetween(deadline, deadline.plusSeconds(1));
    assertThat(rig.arbiter.calls).as("a node that could not drain never claims").isEmpty();
  }

  /** Bug 2: the QEMU never leaving replay is bounded by the same deadline. */
  @Test
  void aQemuThatNeverGoesLiveHaltsTheNodeWithinTheDeadline() {
    rig.replica.goesLive = false;
    Duration deadline = Duration.ofMillis(300);

    long start = System.nanoTime();
    rig.goLive(deadline);
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.roles.reason()).contains("did not go live").contains("300 ms");
    assertThat(took).isLessThan(deadline.plus(BackupGoLive.WENT_LIVE_GRACE).plusSeconds(1));
    assertThat(rig.outputs.open).isFalse();
  }

  /**
   * The one exception to the bound, by design: while shared storage does not answer, the node holds
   * its outputs and keeps asking, however long that takes, and says so in its status.
   */
  @Test
  void unreachableStorageIsWaitedOutLoudlyAndDoesNotCountAgainstTheDeadline() {
    for (int i = 0; i < 15; i++) { // 15 x 20 ms retry: well past the 100 ms deadline
      rig.arbiter.answer(null);
    }
    rig.arbiter.answer("b");

    rig.goLive(Duration.ofMillis(100));

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.reasons)
        .anySatisfy(
            reason ->
                assertThat(reason)
                    .startsWith("GOING_LIVE: SHARED STORAGE UNREACHABLE")
                    .contains("holding outputs"));
    assertThat(rig.arbiter.calls).hasSize(16);
  }

  /** Issue 7 bug 3: a node whose own QEMU is dead never claims go-live. */
  @Test
  void aBackupWhoseQemuIsDeadNeverClaims() {
    rig.replica.running = false;

    rig.goLive(DEADLINE);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.arbiter.calls).isEmpty();
    assertThat(rig.roles.reason()).contains("own QEMU is not running");
  }

  /** Bug 3, checked after the test-and-set too: a win with a dead QEMU must not go on. */
  @Test
  void aQemuThatDiesDuringTheClaimHaltsTheWinner() {
    rig.arbiter.duringClaim = () -> rig.replica.running = false;

    rig.goLive(DEADLINE);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.roles.reason()).contains("won go-live but own QEMU died");
    assertThat(rig.steps.done).doesNotContain("endStream", "openGates", "announce");
  }

  /** Bug 3 while storage is down: stop asking as soon as the own QEMU is gone. */
  @Test
  void aQemuThatDiesWhileStorageIsDownStopsTheClaim() {
    rig.arbiter.answer(null).answer(null).answer(null).answer("b");
    rig.arbiter.duringClaim =
        () -> {
          if (rig.arbiter.calls.size() == 2) {
            rig.replica.running = false;
          }
        };

    rig.goLive(DEADLINE);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.arbiter.calls).hasSize(2);
  }

  @Test
  void aLoserHaltsWithTheWinnersName() {
    rig.arbiter.answer("a");

    rig.goLive(DEADLINE);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.roles.reason()).startsWith("lost go-live to").contains("a");
    assertThat(rig.steps.done).doesNotContain("endStream", "openGates");
  }

  /** A winner whose drain used up the deadline still gets the grace for QEMU's switch. */
  @Test
  void aWinnerStillGetsTheGraceForQemusSwitchAfterASlowDrain() {
    rig.drain.drainTakes = Duration.ofMillis(200);
    rig.replica.wentLiveTakes = Duration.ofMillis(100);

    rig.goLive(Duration.ofMillis(220));

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
  }

  /** PEER_FAILED / handoff: wait (briefly) for the log the peer said it sent, then go live. */
  @Test
  void waitsForThePeersLastLogBeforeStoppingToTakeIt() {
    new Thread(
            () -> {
              sleep(50);
              rig.drain.received.set(1500);
            })
        .start();

    rig.backupGoLive(DEADLINE).run("primary reported PEER_FAILED", OptionalLong.of(1500));

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.steps.done).startsWith("awaitReceived 1500", "stopTaking");
    assertThat(rig.drain.fed).isEqualTo(1500);
  }

  @Test
  void goesLiveWithWhatArrivedWhenThePeersLastLogNeverComes() {
    rig.backupGoLive(DEADLINE).run("primary reported PEER_FAILED", OptionalLong.of(99_999));

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.drain.fed).isEqualTo(1000);
  }

  @Test
  void aSecondReportWhileGoingLiveOrAfterChangesNothing() {
    rig.goLive(DEADLINE);
    rig.steps.done.clear();

    rig.goLive(DEADLINE);

    assertThat(rig.steps.done).isEmpty();
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
