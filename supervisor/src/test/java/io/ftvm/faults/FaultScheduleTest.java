package io.ftvm.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {
  private static final List<CampaignFault> ALL = List.of(CampaignFault.values());

  @Test
  void theSameSeedGivesTheSameOrder() {
    assertThat(FaultSchedule.order(ALL, 25, 1)).isEqualTo(FaultSchedule.order(ALL, 25, 1));
    assertThat(FaultSchedule.order(ALL, 25, 1)).isNotEqualTo(FaultSchedule.order(ALL, 25, 2));
  }

  @Test
  void everyFaultComesUpOnceBeforeAnyComesUpTwice() {
    List<CampaignFault> order = FaultSchedule.order(ALL, ALL.size() * 2 + 3, 42);

    assertThat(order).hasSize(ALL.size() * 2 + 3);
    assertThat(order.subList(0, ALL.size())).containsExactlyInAnyOrderElementsOf(ALL);
    assertThat(order.subList(ALL.size(), 2 * ALL.size())).containsExactlyInAnyOrderElementsOf(ALL);
  }

  @Test
  void aSubsetIsRepeatedInItsBlocks() {
    List<CampaignFault> two = List.of(CampaignFault.NONE, CampaignFault.KILL_HOST_A);

    assertThat(FaultSchedule.order(two, 5, 3)).containsOnlyElementsOf(two).hasSize(5);
  }

  @Test
  void nothingSelectedIsAnError() {
    assertThatThrownBy(() -> FaultSchedule.order(List.of(), 3, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void faultsAreSelectedByTheirCampaignNames() {
    assertThat(CampaignFault.parseList("none, kill-host-b,STORAGE_UNUSABLE"))
        .containsExactly(
            CampaignFault.NONE, CampaignFault.KILL_HOST_B, CampaignFault.STORAGE_UNUSABLE);
    assertThat(CampaignFault.parseList("all")).containsExactly(CampaignFault.values());
    assertThatThrownBy(() -> CampaignFault.parseList("kill-everything"))
        .hasMessageContaining("unknown fault 'kill-everything'")
        .hasMessageContaining("cpu-starved");
  }
}
