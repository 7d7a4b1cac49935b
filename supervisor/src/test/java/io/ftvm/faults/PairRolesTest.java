package io.ftvm.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.faults.RoundObservation.Expectation;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.topology.HostRole;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairRolesTest {
  private static final PairRoles SWAPPED = new PairRoles("b", "a");

  @Test
  void theProtectedPairsPrimaryIsWhicheverNodeRecords() {
    assertThat(
            PairRoles.ofProtected(
                Map.of("a", NodeRole.PRIMARY_PROTECTED, "b", NodeRole.BACKUP_REPLAYING)))
        .contains(PairRoles.INITIAL);
    assertThat(
            PairRoles.ofProtected(
                Map.of("a", NodeRole.BACKUP_REPLAYING, "b", NodeRole.PRIMARY_PROTECTED)))
        .contains(SWAPPED);
  }

  @Test
  void aPairThatIsNotProtectedHasNoRoles() {
    assertThat(
            PairRoles.ofProtected(
                Map.of("a", NodeRole.PRIMARY_ALONE, "b", NodeRole.BACKUP_REPLAYING)))
        .isEmpty();
    assertThat(
            PairRoles.ofProtected(
                Map.of("a", NodeRole.PRIMARY_PROTECTED, "b", NodeRole.PRIMARY_PROTECTED)))
        .isEmpty();
    assertThat(PairRoles.ofProtected(Map.of("a", NodeRole.PRIMARY_PROTECTED))).isEmpty();
  }

  @Test
  void faultsActOnTheCurrentRolesAfterASwap() {
    assertThat(SWAPPED.primaryHost()).isEqualTo(HostRole.B);
    assertThat(SWAPPED.backupHost()).isEqualTo(HostRole.A);
    assertThat(PairRoles.INITIAL.primaryHost()).isEqualTo(HostRole.A);
    assertThat(SWAPPED.now("b")).isEqualTo("a");
    assertThat(SWAPPED.now("a")).isEqualTo("b");
    assertThat(SWAPPED.now(null)).isNull();
  }

  @Test
  void theExpectedSurvivorIsTheCurrentBackupOrPrimary() {
    assertThat(CampaignFault.KILL_HOST_A.expectation(SWAPPED).survivor()).isEqualTo("a");
    assertThat(CampaignFault.KILL_HOST_B.expectation(SWAPPED).survivor()).isEqualTo("b");
    assertThat(CampaignFault.KILL_HOST_A.expectation(PairRoles.INITIAL))
        .isEqualTo(CampaignFault.KILL_HOST_A.expectation());
    assertThat(CampaignFault.STORAGE_UNUSABLE.expectation(SWAPPED))
        .isEqualTo(new Expectation(true, "a", true));
    assertThat(CampaignFault.LINK_DOWN.expectation(SWAPPED).survivor()).isNull();
    assertThat(CampaignFault.NONE.expectation(SWAPPED).goLive()).isFalse();
  }
}
