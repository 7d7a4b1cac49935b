package io.ftvm.supervisor.pair;

/** Bytes per second over a sliding window of one-second buckets. */
final class RateMeter {
  private static final int BUCKETS = 5;
  private final long[] bytes = new long[BUCKETS];
  private final long[] second = new long[BUCKETS];

  synchronized void add(long n) {
    long now = System.nanoTime() / 1_000_000_000L;
    int index = (int) (now % BUCKETS);
    if (second[index] != now) {
      second[index] = now;
      bytes[index] = 0;
    }
    bytes[index] += n;
  }

  synchronized double perSecond() {
    long now = System.nanoTime() / 1_000_000_000L;
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      // whole past seconds only; the current one is still filling
      if (second[i] < now && second[i] >= now - (BUCKETS - 1)) {
        total += bytes[i];
      }
    }
    return total / (double) (BUCKETS - 1);
  }
}
