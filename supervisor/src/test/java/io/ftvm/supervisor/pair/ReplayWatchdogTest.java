package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayWatchdogTest {
  private static final long MS = 1_000_000L;
  private final ReplayWatchdog watchdog = new ReplayWatchdog(3000 * MS);

  @Test
  void firesOnceWhenLogWaitsAndNothingIsConsumedForTheBound() {
    watchdog.arm(0);
    assertThat(watchdog.observe(0, 500, true)).isFalse();
    assertThat(watchdog.observe(2999 * MS, 500, true)).isFalse();
    assertThat(watchdog.observe(3000 * MS, 500, true)).isTrue();
    assertThat(watchdog.stalled()).isTrue();
    assertThat(watchdog.observe(4000 * MS, 500, true)).as("reported once").isFalse();
  }

  @Test
  void staysQuietWhileTheReplayProgresses() {
    watchdog.arm(0);
    for (long t = 0; t <= 20_000; t += 1000) {
      assertThat(watchdog.observe(t * MS, t, true)).isFalse();
    }
    assertThat(watchdog.stalled()).isFalse();
    assertThat(watchdog.longestPauseNanos()).as("one second between progress").isEqualTo(1000 * MS);
  }

  @Test
  void staysQuietWhileThereIsNothingToReplay() {
    watchdog.arm(0);
    for (long t = 0; t <= 20_000; t += 1000) {
      assertThat(watchdog.observe(t * MS, 500, false)).isFalse();
    }
    assertThat(watchdog.stalled()).isFalse();
  }

  @Test
  void countsFromTheLastProgressNotFromWhenLogFirstWaited() {
    watchdog.arm(0);
    watchdog.observe(0, 100, true);
    watchdog.observe(2500 * MS, 200, true); // progress
    assertThat(watchdog.observe(5000 * MS, 200, true)).isFalse();
    assertThat(watchdog.observe(5500 * MS, 200, true)).isTrue();
  }

  @Test
  void doesNothingBeforeItIsArmedOrAfterItIsDisarmed() {
    assertThat(watchdog.observe(0, 0, true)).isFalse();
    assertThat(watchdog.observe(60_000 * MS, 0, true)).isFalse();
    watchdog.arm(60_000 * MS);
    watchdog.disarm();
    assertThat(watchdog.observe(120_000 * MS, 0, true)).isFalse();
  }
}
