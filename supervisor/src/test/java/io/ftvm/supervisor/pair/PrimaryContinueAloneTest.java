package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrimaryContinueAloneTest {
  private final TransitionRig rig = new TransitionRig().asPrimary();

  @Test
  void winsThenStopsShippingThenReleasesHeldOutputs() {
    rig.continueAlone().run("backup b reported its replica failed (PEER_FAILED at byte 42)");

    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_ALONE);
    assertThat(rig.steps.done).containsExactly("claim: b wins", "stopShipping", "openGates");
    assertThat(rig.roles.reason())
        .contains("UNPROTECTED")
        .contains("reported its replica failed (PEER_FAILED at byte 42)");
  }

  /**
   * Issue 7 bug 3/4: a primary whose QEMU just died, asked to go on alone (its peer-lost report was
   * queued before the QEMU's exit), must leave the epoch to the backup instead of winning it.
   */
  @Test
  void aPrimaryWhoseQemuIsDeadNeverClaims() {
    rig.replica.running = false;

    rig.continueAlone().run("backup lost: no frame for 500 ms");

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.arbiter.calls).isEmpty();
    assertThat(rig.outputs.open).isFalse();
  }

  @Test
  void aLoserIsFencedAndNeverOpensItsGates() {
    rig.arbiter.answer("a");

    rig.continueAlone().run("backup lost: no frame for 500 ms");

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.outputs.open).isFalse();
    assertThat(rig.outputs.network.closed).isTrue();
    assertThat(rig.steps.done).doesNotContain("stopShipping");
  }

  @Test
  void anAdminStopEndsAWaitForUnreachableStorage() {
    for (int i = 0; i < 1000; i++) {
      rig.arbiter.answer(null);
    }
    rig.arbiter.duringClaim =
        () -> {
          if (rig.arbiter.calls.size() == 3) {
            rig.stopRequested.set(true);
          }
        };

    rig.continueAlone().run("backup lost");

    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.roles.reason()).contains("stopped by admin");
  }
}
