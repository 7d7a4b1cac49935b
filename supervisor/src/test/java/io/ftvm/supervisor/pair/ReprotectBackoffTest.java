package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReprotectBackoffTest {
  private static final long SECOND = 1_000_000_000L;
  private final ReprotectBackoff backoff =
      new ReprotectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(60));

  @Test
  void delaysDoubleUpToTheCap() {
    List<Long> seconds = new ArrayList<>();
    long now = 0;
    for (int i = 0; i < 8; i++) {
      seconds.add(backoff.failed(now).toSeconds());
    }

    assertThat(seconds).containsExactly(2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
    assertThat(backoff.consecutiveFailures()).isEqualTo(8);
  }

  @Test
  void aFailureBlocksTheNextAttemptUntilItsDelayPassed() {
    assertThat(backoff.mayStart(0)).as("nothing failed yet").isTrue();

    backoff.failed(10 * SECOND);

    assertThat(backoff.mayStart(11 * SECOND)).isFalse();
    assertThat(backoff.remaining(11 * SECOND)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.mayStart(12 * SECOND)).isTrue();
    assertThat(backoff.remaining(12 * SECOND)).isZero();
  }

  @Test
  void resetLetsTheNextAttemptStartAtOnceAndStartsTheScheduleOver() {
    backoff.failed(0);
    backoff.failed(0);
    backoff.failed(0);

    backoff.reset();

    assertThat(backoff.mayStart(0)).isTrue();
    assertThat(backoff.failed(0)).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void manyFailuresNeverOverflowTheCap() {
    assertThat(backoff.delayAfter(10_000)).isEqualTo(Duration.ofSeconds(60));
    assertThat(backoff.delayAfter(0)).isZero();
  }

  @Test
  void aCapBelowTheFirstDelayIsRefused() {
    assertThatThrownBy(() -> new ReprotectBackoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
