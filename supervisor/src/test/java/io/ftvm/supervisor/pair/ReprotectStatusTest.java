package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReprotectStatusTest {
  @Test
  void aRunningAttemptShowsPhaseBytesRateAndEta() {
    ReprotectProgress progress =
        new ReprotectProgress(
            "disk", 64L << 20, 256L << 20, 0, 0, 32.0 * (1 << 20), Duration.ofSeconds(6));
    Reprotection.View view =
        new Reprotection.View(true, 2, "a", progress, 1, 0, -1, -1, -1, -1, null, 0, 0);

    assertThat(ReprotectStatus.of(view).summary())
        .isEqualTo("re-protecting to a (epoch 2): disk, disk 64/256 MiB, 32.0 MiB/s, ETA 6 s");
  }

  @Test
  void afterwardsItShowsTheLastPauseAndTheFailuresWithTheirBackoff() {
    Reprotection.View view =
        new Reprotection.View(
            false, -1, null, null, 3, 1, 68, 650, 16 << 20, 256 << 20, "refused", 2, 3900);

    assertThat(ReprotectStatus.of(view).summary())
        .isEqualTo(
            "re-protected 1x; last pause 68 ms, took 650 ms; 2 failed in a row (refused), retry"
                + " in 3 s");
  }
}
