package io.ftvm.channel;

/** Bytes per second over the last few whole seconds, in one-second buckets. Thread-safe. */
final class RateMeter {
  private static final long SECOND = 1_000_000_000L;
  private final MonotonicClock clock;
  private final long[] buckets;
  private final long[] bucketSecond;

  RateMeter(MonotonicClock clock, int seconds) {
    this.clock = clock;
    this.buckets = new long[seconds + 1];
    this.bucketSecond = new long[seconds + 1];
  }

  synchronized void record(long bytes) {
    long second = clock.nanoTime() / SECOND;
    int index = (int) Math.floorMod(second, (long) buckets.length);
    if (bucketSecond[index] != second) {
      bucketSecond[index] = second;
      buckets[index] = 0;
    }
    buckets[index] += bytes;
  }

  /** Average over the completed seconds of the window (the current partial second is excluded). */
  synchronized long bytesPerSecond() {
    long current = clock.nanoTime() / SECOND;
    long total = 0;
    int window = buckets.length - 1;
    for (int i = 0; i < buckets.length; i++) {
      long age = current - bucketSecond[i];
      if (age >= 1 && age <= window) {
        total += buckets[i];
      }
    }
    return total / window;
  }
}
