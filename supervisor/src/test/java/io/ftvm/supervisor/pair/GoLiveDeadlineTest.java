package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GoLiveDeadlineTest {
  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  void spendsTheBudgetAndNeverGoesNegative() {
    GoLiveDeadline deadline = GoLiveDeadline.start(Duration.ofMillis(100), now::get);

    now.addAndGet(Duration.ofMillis(40).toNanos());
    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(60));
    assertThat(deadline.expired()).isFalse();

    now.addAndGet(Duration.ofMillis(200).toNanos());
    assertThat(deadline.remaining()).isZero();
    assertThat(deadline.expired()).isTrue();
    assertThat(deadline.elapsed()).isEqualTo(Duration.ofMillis(240));
  }

  @Test
  void timeWhileStorageIsUnreachableDoesNotCount() {
    GoLiveDeadline deadline = GoLiveDeadline.start(Duration.ofMillis(100), now::get);

    now.addAndGet(Duration.ofSeconds(5).toNanos());
    deadline.exclude(Duration.ofMillis(4_950));

    assertThat(deadline.remaining()).isEqualTo(Duration.ofMillis(50));
  }
}
