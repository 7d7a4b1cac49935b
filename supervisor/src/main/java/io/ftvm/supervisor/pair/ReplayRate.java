package io.ftvm.supervisor.pair;

import java.util.ArrayDeque;

/**
 * How many guest instructions per second the backup's QEMU replays when it has log to replay, over
 * the last couple of seconds of such busy time. Time with nothing to replay says nothing about its
 * speed and is left out.
 */
final class ReplayRate {
  private record Sample(long nanos, long instructions) {}

  private final long windowNanos;
  private final long minimumNanos;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private long sumNanos;
  private long sumInstructions;
  private long lastObservedNanos = -1;

  /**
   * @param windowNanos how much busy time the average covers
   * @param minimumNanos busy time needed before the rate counts as known
   */
  ReplayRate(long windowNanos, long minimumNanos) {
    this.windowNanos = windowNanos;
    this.minimumNanos = minimumNanos;
  }

  static ReplayRate standard() {
    return new ReplayRate(2_000_000_000L, 250_000_000L);
  }

  void observe(long nowNanos, long instructions, boolean busy) {
    long previous = lastObservedNanos;
    lastObservedNanos = nowNanos;
    if (previous < 0 || !busy || nowNanos <= previous) {
      return;
    }
    Sample sample = new Sample(nowNanos - previous, instructions);
    samples.addLast(sample);
    sumNanos += sample.nanos();
    sumInstructions += sample.instructions();
    while (sumNanos - samples.peekFirst().nanos() >= windowNanos) {
      Sample old = samples.removeFirst();
      sumNanos -= old.nanos();
      sumInstructions -= old.instructions();
    }
  }

  boolean known() {
    return sumNanos >= minimumNanos && sumInstructions > 0;
  }

  /** Instructions per second, or -1 while not known. */
  double perSecond() {
    return known() ? sumInstructions * 1e9 / sumNanos : -1;
  }

  /** Time to replay {@code instructions} at the measured rate; 0 while the rate is not known. */
  long nanosFor(long instructions) {
    if (instructions <= 0 || !known()) {
      return 0;
    }
    return (long) (instructions * (double) sumNanos / sumInstructions);
  }
}
