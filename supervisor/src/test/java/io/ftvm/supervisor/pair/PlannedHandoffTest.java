package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class PlannedHandoffTest {
  private final TransitionRig rig = new TransitionRig().asPrimary();

  @Test
  void pausesDrainsWaitsForTheAckTellsTheBackupThenHalts() throws Exception {
    String result = rig.handoff().run();

    assertThat(result).isEqualTo("handed off at log byte 5000");
    assertThat(rig.steps.done)
        .startsWith("pause", "positionAfterPause", "awaitAcked 5000", "send HANDOFF_REQUEST 5000");
    assertThat(rig.peer.sent)
        .containsExactly(new ControlMessage(ControlType.HANDOFF_REQUEST, 5000));
    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.roles.reason()).isEqualTo("planned failover: handed off to a at byte 5000");
  }

  /** A failed handoff used to leave the primary paused for good; now it resumes, protected. */
  @Test
  void aBackupThatDoesNotAcknowledgeLeavesThePrimaryRunningAndProtected() {
    rig.primaryLog.acks = false;

    assertThatThrownBy(() -> rig.handoff().run())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("did not acknowledge");

    assertThat(rig.steps.done).endsWith("resume");
    assertThat(rig.peer.sent).isEmpty();
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_PROTECTED);
  }

  @Test
  void noSessionToTheBackupMeansNoHandoff() {
    rig.peer.session = false;

    assertThatThrownBy(() -> rig.handoff().run()).hasMessageContaining("no session");

    assertThat(rig.steps.done).endsWith("resume");
    assertThat(rig.roles.role()).isEqualTo(NodeRole.PRIMARY_PROTECTED);
  }

  @Test
  void onlyAProtectedPrimaryHandsOff() {
    TransitionRig backup = new TransitionRig().asBackup();

    assertThatThrownBy(() -> backup.handoff().run()).isInstanceOf(IllegalStateException.class);

    assertThat(backup.steps.done).isEmpty();
  }
}
