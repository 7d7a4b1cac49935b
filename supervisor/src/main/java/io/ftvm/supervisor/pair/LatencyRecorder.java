package io.ftvm.supervisor.pair;

import java.util.Arrays;

/** Keeps the last N latency samples for p50/p99 in status output; cheap enough for every frame. */
public final class LatencyRecorder {
  private final long[] samples;
  private int next;
  private long count;

  public LatencyRecorder(int window) {
    this.samples = new long[window];
  }

  public synchronized void record(long nanos) {
    samples[next] = nanos;
    next = (next + 1) % samples.length;
    count++;
  }

  public synchronized long count() {
    return count;
  }

  /** Percentile in nanoseconds over the window, or -1 with no samples. */
  public synchronized long percentileNanos(double percentile) {
    int n = (int) Math.min(count, samples.length);
    if (n == 0) {
      return -1;
    }
    long[] copy = Arrays.copyOf(samples, n);
    Arrays.sort(copy);
    int index = (int) Math.ceil(percentile / 100.0 * n) - 1;
    return copy[Math.max(0, Math.min(n - 1, index))];
  }
}
