package io.ftvm.faults;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.faults.ReprotectPlan.Action;
import io.ftvm.supervisor.pair.NodeRole;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReprotectPlanTest {
  private static final Map<String, Boolean> BOTH_RUN = Map.of("a", true, "b", true);

  @Test
  void aPairThatStayedProtectedNeedsNothing() {
    ReprotectPlan plan =
        ReprotectPlan.decide(
            Map.of("a", NodeRole.BACKUP_REPLAYING, "b", NodeRole.PRIMARY_PROTECTED), BOTH_RUN);

    assertThat(plan.action()).isEqualTo(Action.NOTHING);
  }

  @Test
  void aKilledHostsNodeRejoinsTheSurvivor() {
    // A killed daemon's role file still says what it was.
    ReprotectPlan plan =
        ReprotectPlan.decide(
            Map.of("a", NodeRole.PRIMARY_PROTECTED, "b", NodeRole.PRIMARY_ALONE),
            Map.of("a", false, "b", true));

    assertThat(plan.action()).isEqualTo(Action.REJOIN);
    assertThat(plan.survivor()).isEqualTo("b");
    assertThat(plan.joiner()).isEqualTo("a");
    assertThat(plan.stopJoinerFirst()).isFalse();
  }

  @Test
  void aFencedNodeWhoseDaemonRunsIsStoppedBeforeItRejoins() {
    ReprotectPlan plan =
        ReprotectPlan.decide(Map.of("a", NodeRole.PRIMARY_ALONE, "b", NodeRole.HALTED), BOTH_RUN);

    assertThat(plan.action()).isEqualTo(Action.REJOIN);
    assertThat(plan.survivor()).isEqualTo("a");
    assertThat(plan.joiner()).isEqualTo("b");
    assertThat(plan.stopJoinerFirst()).isTrue();
  }

  @Test
  void withoutExactlyOneLiveSurvivorThePairIsReplaced() {
    assertThat(
            ReprotectPlan.decide(
                    Map.of("a", NodeRole.PRIMARY_ALONE, "b", NodeRole.PRIMARY_ALONE), BOTH_RUN)
                .action())
        .isEqualTo(Action.REPLACE);
    assertThat(
            ReprotectPlan.decide(Map.of("a", NodeRole.HALTED, "b", NodeRole.GOING_LIVE), BOTH_RUN)
                .action())
        .isEqualTo(Action.REPLACE);
    // Live according to a stale role file, but its daemon is dead.
    assertThat(
            ReprotectPlan.decide(
                    Map.of("a", NodeRole.PRIMARY_ALONE, "b", NodeRole.HALTED),
                    Map.of("a", false, "b", true))
                .action())
        .isEqualTo(Action.REPLACE);
  }

  @Test
  void aProtectedLookingPairWithADeadDaemonIsNotLeftAlone() {
    ReprotectPlan plan =
        ReprotectPlan.decide(
            Map.of("a", NodeRole.PRIMARY_PROTECTED, "b", NodeRole.BACKUP_REPLAYING),
            Map.of("a", true, "b", false));

    assertThat(plan.action()).isEqualTo(Action.REPLACE);
  }
}
