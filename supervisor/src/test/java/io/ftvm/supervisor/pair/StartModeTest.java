package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.supervisor.pair.NodeSupervisor.StartMode;
import org.junit.jupiter.api.Test;

class StartModeTest {
  @Test
  void aFreshPairStartsAsConfigured() {
    assertThat(StartMode.choose(false, false, 1, GoLiveArbiter.NO_EPOCH))
        .isEqualTo(StartMode.PAIRED);
    assertThat(StartMode.choose(false, true, 1, GoLiveArbiter.NO_EPOCH))
        .isEqualTo(StartMode.UNPROTECTED);
  }

  @Test
  void aFencedNodesRestartedDaemonJoinsEmptyEvenIfNotAskedTo() {
    // The survivor won epoch 1 when this node was fenced: its disk and log are stale.
    assertThat(StartMode.choose(false, false, 1, 1)).isEqualTo(StartMode.JOIN);
    // The pair re-protected without it (epoch 2 reserved, maybe claimed).
    assertThat(StartMode.choose(false, true, 1, 2)).isEqualTo(StartMode.JOIN);
  }

  @Test
  void joinIsAlwaysHonoured() {
    assertThat(StartMode.choose(true, false, 5, GoLiveArbiter.NO_EPOCH)).isEqualTo(StartMode.JOIN);
  }
}
