package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayLagTrackerTest {
  private static final long MS = 1_000_000L;
  private static final long SPAN = 300 * MS;
  private static final long NO_BYTE_CAP = Long.MAX_VALUE / 4;

  private final ReplayLagTracker tracker = new ReplayLagTracker(ReplayRate.standard());

  @Test
  void acknowledgesChunksWhoseUnconsumedLogArrivedWithinTheBound() {
    tracker.arrived(100, 0, 0);
    tracker.arrived(200, 0, 200 * MS);
    tracker.arrived(300, 0, 400 * MS);

    assertThat(tracker.acknowledgeable(SPAN, NO_BYTE_CAP))
        .as("nothing consumed: the chunk that arrived 400 ms after the oldest waits")
        .isEqualTo(200);
    assertThat(tracker.lagNanos(500 * MS)).isEqualTo(500 * MS);

    tracker.consumedUpTo(150, 500 * MS, true);
    assertThat(tracker.acknowledgeable(SPAN, NO_BYTE_CAP)).isEqualTo(300);
    assertThat(tracker.lagNanos(500 * MS))
        .as("oldest unconsumed byte arrived at 200 ms")
        .isEqualTo(300 * MS);

    tracker.consumedUpTo(300, 600 * MS, true);
    assertThat(tracker.lagNanos(600 * MS)).isZero();
    assertThat(tracker.acknowledgeable(SPAN, NO_BYTE_CAP)).isEqualTo(300);
  }

  @Test
  void neverAcknowledgesMoreThanTheByteCapAheadOfWhatWasConsumed() {
    tracker.arrived(1000, 0, 0);
    tracker.arrived(2000, 0, 0);
    tracker.arrived(3000, 0, 0);

    assertThat(tracker.acknowledgeable(SPAN, 2000)).isEqualTo(2000);
    tracker.consumedUpTo(1500, MS, true);
    assertThat(tracker.acknowledgeable(SPAN, 2000)).isEqualTo(3000);
  }

  @Test
  void aBurstOfManyInstructionsIsNotAcknowledgedAtOnce() {
    // Learn the replay speed: 1000 instructions per ms of busy replay, over 300 ms.
    tracker.arrived(100, 100_000, 0);
    tracker.arrived(200, 200_000, 0);
    tracker.arrived(300, 300_000, 0);
    tracker.consumedUpTo(0, 0, false);
    tracker.consumedUpTo(100, 100 * MS, true);
    tracker.consumedUpTo(200, 200 * MS, true);
    tracker.consumedUpTo(300, 300 * MS, true);
    // Seconds of the primary's execution arrive in one burst (its pump was held, QEMU ran on).
    tracker.arrived(400, 400_000, 301 * MS); // 100 ms of replay
    tracker.arrived(500, 600_000, 301 * MS); // 300 ms in total
    tracker.arrived(600, 5_300_000, 301 * MS); // 5 s in total

    assertThat(tracker.backlogReplayNanos()).isEqualTo(5000 * MS);
    assertThat(tracker.acknowledgeable(SPAN, NO_BYTE_CAP)).isEqualTo(500);
  }

  @Test
  void timeWithNothingToReplayDoesNotCountAsSlowReplay() {
    tracker.arrived(100, 300_000, 0);
    tracker.consumedUpTo(0, 0, false);
    tracker.consumedUpTo(100, 300 * MS, true); // 1000 per ms while busy
    tracker.consumedUpTo(100, 10_000 * MS, false); // idle for 10 s
    tracker.arrived(200, 500_000, 10_000 * MS); // 200 ms of replay

    assertThat(tracker.acknowledgeable(SPAN, NO_BYTE_CAP)).isEqualTo(200);
  }
}
