package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RoleStateMachineTest {
  private final RoleStateMachine roles = new RoleStateMachine();

  @Test
  void aBackupGoesLiveThroughGoingLive() {
    List<String> seen = new ArrayList<>();
    roles.onChange((from, to) -> seen.add(from + ">" + to));

    assertThat(roles.transition(NodeRole.BACKUP_REPLAYING, "start")).isTrue();
    assertThat(roles.transition(NodeRole.GOING_LIVE, "primary lost")).isTrue();
    assertThat(roles.transition(NodeRole.PRIMARY_ALONE, "won")).isTrue();

    assertThat(seen)
        .containsExactly(
            "STARTING>BACKUP_REPLAYING", "BACKUP_REPLAYING>GOING_LIVE", "GOING_LIVE>PRIMARY_ALONE");
    assertThat(roles.reason()).isEqualTo("won");
  }

  @Test
  void aSecondPeerLostReportWhileGoingLiveChangesNothing() {
    roles.transition(NodeRole.PRIMARY_PROTECTED, "start");
    roles.transition(NodeRole.GOING_LIVE, "backup lost");

    assertThat(roles.transition(NodeRole.GOING_LIVE, "backup lost again")).isFalse();
    assertThat(roles.reason()).isEqualTo("backup lost");
  }

  @Test
  void aHaltedNodeCanNeverReleaseOutputAgain() {
    roles.transition(NodeRole.BACKUP_REPLAYING, "start");
    roles.transition(NodeRole.HALTED, "lost go-live");

    for (NodeRole role : NodeRole.values()) {
      assertThat(roles.transition(role, "try")).as(role.name()).isFalse();
    }
    assertThat(roles.role().releasesOutput()).isFalse();
  }

  @Test
  void aBackupCannotSkipTheArbiter() {
    roles.transition(NodeRole.BACKUP_REPLAYING, "start");

    assertThat(roles.transition(NodeRole.PRIMARY_ALONE, "shortcut")).isFalse();
    assertThat(roles.transition(NodeRole.PRIMARY_PROTECTED, "shortcut")).isFalse();
  }

  @Test
  void aSurvivorIsProtectedAgainThroughReprotecting() {
    List<String> seen = new ArrayList<>();
    roles.transition(NodeRole.BACKUP_REPLAYING, "start");
    roles.transition(NodeRole.GOING_LIVE, "primary lost");
    roles.transition(NodeRole.PRIMARY_ALONE, "won");
    roles.onChange((from, to) -> seen.add(from + ">" + to));

    assertThat(roles.transition(NodeRole.REPROTECTING, "cloning to a")).isTrue();
    assertThat(roles.role().releasesOutput()).as("outputs flow while copying").isTrue();
    assertThat(roles.transition(NodeRole.PRIMARY_PROTECTED, "epoch 2")).isTrue();

    assertThat(seen)
        .containsExactly("PRIMARY_ALONE>REPROTECTING", "REPROTECTING>PRIMARY_PROTECTED");
  }

  @Test
  void aFailedReprotectionReturnsToAloneAndMayTryAgain() {
    roles.transition(NodeRole.PRIMARY_ALONE, "started unprotected");
    roles.transition(NodeRole.REPROTECTING, "cloning");

    assertThat(roles.transition(NodeRole.PRIMARY_ALONE, "clone failed")).isTrue();
    assertThat(roles.transition(NodeRole.REPROTECTING, "retry")).isTrue();
    assertThat(roles.transition(NodeRole.GOING_LIVE, "lost after the switch")).isTrue();
  }

  @Test
  void aJoiningNodeReplaysOnlyAfterItWasCloned() {
    roles.transition(NodeRole.JOINING, "empty");

    assertThat(roles.transition(NodeRole.BACKUP_REPLAYING, "shortcut")).isFalse();
    assertThat(roles.transition(NodeRole.GOING_LIVE, "shortcut")).isFalse();
    assertThat(roles.transition(NodeRole.CLONING, "primary clones")).isTrue();
    assertThat(roles.transition(NodeRole.GOING_LIVE, "half a copy")).isFalse();
    assertThat(roles.transition(NodeRole.JOINING, "clone failed")).isTrue();
    assertThat(roles.transition(NodeRole.CLONING, "again")).isTrue();
    assertThat(roles.transition(NodeRole.BACKUP_REPLAYING, "cloned")).isTrue();
    assertThat(roles.role().releasesOutput()).isFalse();
  }

  @Test
  void aProtectedPrimaryCannotSkipBackToReprotecting() {
    roles.transition(NodeRole.PRIMARY_PROTECTED, "start");

    assertThat(roles.transition(NodeRole.REPROTECTING, "shortcut")).isFalse();
    assertThat(roles.transition(NodeRole.PRIMARY_ALONE, "shortcut")).isFalse();
  }

  @Test
  void aPrimaryWhoseBackupNeverFollowedGoesOnAloneThroughTheArbiter() {
    List<String> seen = new ArrayList<>();
    roles.onChange((from, to) -> seen.add(from + ">" + to));

    assertThat(roles.transition(NodeRole.GOING_LIVE, "backup refused its disks")).isTrue();
    assertThat(roles.transition(NodeRole.PRIMARY_PROTECTED, "late ack")).isFalse();
    assertThat(roles.transition(NodeRole.PRIMARY_ALONE, "won")).isTrue();

    assertThat(seen).containsExactly("STARTING>GOING_LIVE", "GOING_LIVE>PRIMARY_ALONE");
  }
}
