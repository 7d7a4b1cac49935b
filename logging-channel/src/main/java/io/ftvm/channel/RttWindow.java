package io.ftvm.channel;

import java.util.Arrays;

/** The last N ack round-trip samples; percentiles over that window. Thread-safe. */
final class RttWindow {
  private final long[] samples;
  private int count;
  private int next;

  RttWindow(int capacity) {
    this.samples = new long[capacity];
  }

  synchronized void add(long nanos) {
    samples[next] = nanos;
    next = (next + 1) % samples.length;
    count = Math.min(count + 1, samples.length);
  }

  /** Nearest-rank percentile, or -1 when no sample is in the window. */
  synchronized long percentile(double fraction) {
    if (count == 0) {
      return -1;
    }
    long[] sorted = Arrays.copyOf(samples, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(fraction * count) - 1;
    return sorted[Math.max(0, Math.min(count - 1, rank))];
  }
}
