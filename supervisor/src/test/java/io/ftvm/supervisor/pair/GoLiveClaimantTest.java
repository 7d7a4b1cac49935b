package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.supervisor.pair.TransitionFakes.ScriptedArbiter;
import io.ftvm.supervisor.pair.TransitionFakes.Steps;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GoLiveClaimantTest {

  private static GoLiveClaimant claimant(GoLiveArbiter arbiter) {
    return new GoLiveClaimant(arbiter, "vm1", 3, "b", Duration.ofMillis(1));
  }

  @Test
  void winsWhenTheRecordIsOurs() {
    Optional<GoLiveClaimant.Outcome> outcome =
        claimant(new ScriptedArbiter(new Steps()).answer("b")).claim("primary lost");

    assertThat(outcome).contains(new GoLiveClaimant.Outcome(true, "b"));
  }

  @Test
  void losesToTheRecordedWinner() {
    Optional<GoLiveClaimant.Outcome> outcome =
        claimant(new ScriptedArbiter(new Steps()).answer("a")).claim("primary lost");

    assertThat(outcome).isPresent();
    assertThat(outcome.get().won()).isFalse();
    assertThat(outcome.get().winner()).contains("a");
  }

  @Test
  void unreachableStorageIsNeverAWinItKeepsAsking() {
    ScriptedArbiter arbiter =
        new ScriptedArbiter(new Steps()).answer(null).answer(null).answer("b");

    Optional<GoLiveClaimant.Outcome> outcome = claimant(arbiter).claim("primary lost");

    assertThat(arbiter.calls).hasSize(3);
    assertThat(outcome).contains(new GoLiveClaimant.Outcome(true, "b"));
  }

  @Test
  void anInterruptWhileStorageIsDownGivesNoDecision() {
    ScriptedArbiter arbiter = new ScriptedArbiter(new Steps()).answer(null).answer("b");
    Thread.currentThread().interrupt();
    try {
      assertThat(claimant(arbiter).claim("primary lost")).isEmpty();
    } finally {
      Thread.interrupted();
    }
  }
}
