package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.lock.PairingRecord;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReprotectionTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final String OFFER = "nbd=10.77.1.1:10810 export=disk migration=10.77.1.1:10811";

  private final TransitionRig rig = new TransitionRig().asAlone();
  private final Reprotection reprotection =
      rig.reprotection(
          new Reprotection.Timeouts(
              Duration.ofMillis(200), Duration.ofMillis(600), Duration.ofMillis(200)));

  @AfterEach
  void tearDown() {
    reprotection.close();
  }

  private static PairingRecord pairing(long epoch) {
    return new PairingRecord("vm1", epoch, "a", OFFER, Instant.now());
  }

  private void startAndFinish(long epoch) throws InterruptedException {
    assertThat(reprotection.start(pairing(epoch))).isNull();
    assertThat(reprotection.awaitIdle(WAIT)).isTrue();
  }

  @Test
  void aSuccessfulCloneProtectsAtTheNewEpochAndHoldsOutputsFromTheSwitchOn()
      throws InterruptedException {
    startAndFinish(4);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_PROTECTED);
    assertThat(rig.steps.done)
        .containsSubsequence(
            "open stream epoch 4",
            "holdForNewStream",
            "awaitPeerConnected",
            "clone to 10.77.1.1",
            "adopt epoch 4");
    assertThat(rig.steps.done).doesNotContain("openGates", "abandon");
    assertThat(rig.outputs.open).as("outputs held for the new backup").isFalse();
    await().atMost(WAIT).until(() -> rig.roles.reason().contains("within the replay bound"));
    Reprotection.View view = reprotection.view();
    assertThat(view.succeeded()).isEqualTo(1);
    assertThat(view.lastPauseMillis()).isEqualTo(180);
    assertThat(view.lastDurationMillis()).isEqualTo(9000);
    assertThat(view.consecutiveFailures()).isZero();
    assertThat(rig.reasons)
        .anyMatch(r -> r.startsWith("REPROTECTING") && r.contains("disk 64/256 MiB"));
  }

  @Test
  void aCloneErrorLeavesThePrimaryAloneWithOutputsFlowingAndBacksOff() throws InterruptedException {
    rig.cloner.switchesBeforeReturning = false;
    rig.cloner.fails = new IOException("drive-mirror: NBD connection refused");

    startAndFinish(4);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.roles.reason())
        .contains("re-protection to a (epoch 4) failed: drive-mirror: NBD connection refused")
        .contains("next try in 2 s");
    assertThat(rig.steps.done).containsSubsequence("holdForNewStream", "abandon", "openGates");
    assertThat(rig.outputs.open).isTrue();
    assertThat(rig.arbiter.claimedEpochs).as("nothing to claim before the switch").isEmpty();
    Reprotection.View view = reprotection.view();
    assertThat(view.consecutiveFailures()).isEqualTo(1);
    assertThat(view.retryInMillis()).isPositive();
    assertThat(view.lastFailure()).contains("NBD connection refused");
    assertThat(reprotection.start(pairing(5))).contains("backoff");
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
  }

  @Test
  void anAdminRequestSkipsTheBackoffButNeverReusesAnEpoch() throws InterruptedException {
    rig.cloner.switchesBeforeReturning = false;
    rig.cloner.fails = new IOException("refused");
    startAndFinish(4);

    reprotection.skipBackoff();

    assertThat(reprotection.start(pairing(4))).contains("tried already");
    rig.cloner.fails = null;
    rig.cloner.switchesBeforeReturning = true;
    startAndFinish(5);
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_PROTECTED);
    assertThat(rig.adoptedEpochs).containsExactly(5L);
  }

  @Test
  void aJoinerThatNeverConnectsFailsTheAttemptWithinTheBound() throws InterruptedException {
    rig.streamSetup = s -> s.peerConnects = false;

    startAndFinish(4);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.roles.reason()).contains("did not open the logging channel for epoch 4");
    assertThat(rig.steps.done).doesNotContain("clone to 10.77.1.1");
  }

  @Test
  void losingTheJoinerBeforeTheSwitchCancelsTheCloneAndGoesBackToAlone()
      throws InterruptedException {
    rig.cloner.takes = Duration.ofSeconds(30);
    assertThat(reprotection.start(pairing(4))).isNull();
    assertThat(rig.cloner.copying.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    reprotection.peerLost("no frame for 1000 ms");

    assertThat(reprotection.awaitIdle(WAIT)).isTrue();
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.roles.reason()).contains("new backup a lost: no frame for 1000 ms");
    assertThat(rig.arbiter.claimedEpochs).isEmpty();
    assertThat(rig.outputs.open).isTrue();
  }

  @Test
  void losingTheJoinerAfterTheSwitchClaimsTheNewEpochInsteadOfSilentlyGoingAlone()
      throws InterruptedException {
    rig.cloner.takes = Duration.ofSeconds(30);
    rig.cloner.switchesBeforeReturning = false;
    assertThat(reprotection.start(pairing(4))).isNull();
    assertThat(rig.cloner.copying.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    rig.streams.get(0).switched = true; // the VM records epoch 4 now

    reprotection.peerLost("no frame for 1000 ms");

    assertThat(reprotection.awaitIdle(WAIT)).isTrue();
    assertThat(rig.arbiter.claimedEpochs).containsExactly(4L);
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.reasons).anyMatch(r -> r.startsWith("GOING_LIVE"));
    assertThat(rig.steps.done).doesNotContain("abandon");
  }

  @Test
  void aNewBackupThatWonTheNewEpochHaltsThisNode() throws InterruptedException {
    rig.cloner.takes = Duration.ofSeconds(30);
    rig.cloner.switchesBeforeReturning = false;
    rig.arbiter.answer("a");
    assertThat(reprotection.start(pairing(4))).isNull();
    assertThat(rig.cloner.copying.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    rig.streams.get(0).switched = true;

    reprotection.peerLost("no frame for 1000 ms");

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.outputs.network.isClosed()).isTrue();
  }

  @Test
  void aCloneThatFailsAfterTheSwitchClaimsTheNewEpoch() throws InterruptedException {
    rig.cloner.fails = new IOException("migration: connection reset after completion");

    startAndFinish(4);

    assertThat(rig.arbiter.claimedEpochs).containsExactly(4L);
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.roles.reason()).contains("re-protection failed after the switch");
  }

  @Test
  void aCloneThatTakesTooLongIsGivenUp() throws InterruptedException {
    rig.cloner.takes = Duration.ofSeconds(30);
    rig.cloner.switchesBeforeReturning = false;

    startAndFinish(4);

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.roles.reason()).contains("clone did not finish within 0 s");
  }

  @Test
  void onlyAnAloneNodeReprotects() {
    TransitionRig protectedRig = new TransitionRig().asPrimary();
    try (Reprotection other = protectedRig.reprotection(Reprotection.Timeouts.defaults())) {
      assertThat(other.start(pairing(4))).contains("PRIMARY_PROTECTED");
      assertThat(protectedRig.steps.done).isEmpty();
    }
  }

  @Test
  void anOfferThatCannotBeParsedIsRefusedWithoutTouchingTheRole() {
    String why = reprotection.start(new PairingRecord("vm1", 4, "a", "nbd=nowhere", Instant.now()));

    assertThat(why).contains("unusable offer from a");
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
  }

  @Test
  void aStopDuringTheCloneLeavesTheNodeHaltedWithItsGatesClosed() throws InterruptedException {
    rig.cloner.takes = Duration.ofSeconds(30);
    rig.cloner.switchesBeforeReturning = false;
    assertThat(reprotection.start(pairing(4))).isNull();
    assertThat(rig.cloner.copying.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    rig.halt.halt("stopped by admin");
    reprotection.cancel("stopped by admin");

    assertThat(reprotection.awaitIdle(WAIT)).isTrue();
    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.outputs.network.isClosed()).isTrue();
  }

  @Test
  void theNewEpochIsAdoptedBeforeTheRoleSaysProtected() throws InterruptedException {
    List<String> adoptedWhenProtected = new java.util.concurrent.CopyOnWriteArrayList<>();
    rig.roles.onChange(
        (from, to) -> {
          if (to == NodeRole.PRIMARY_PROTECTED && from != to) {
            adoptedWhenProtected.add(String.valueOf(rig.adoptedEpochs));
          }
        });

    startAndFinish(4);

    assertThat(adoptedWhenProtected).containsExactly("[4]");
  }
}
