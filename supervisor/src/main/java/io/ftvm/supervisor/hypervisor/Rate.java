package io.ftvm.supervisor.hypervisor;

import java.time.Duration;

/** Bytes per second of a growing counter, from its last two samples. */
final class Rate {
  private long lastBytes = -1;
  private long lastNanos;
  private double bytesPerSecond;

  double update(long bytes) {
    long now = System.nanoTime();
    if (lastBytes >= 0 && now > lastNanos) {
      bytesPerSecond = Math.max(0, bytes - lastBytes) * 1e9 / (now - lastNanos);
    }
    lastBytes = bytes;
    lastNanos = now;
    return bytesPerSecond;
  }

  /** Time to move {@code remaining} bytes at {@code bytesPerSecond}; zero if unknown. */
  static Duration eta(long remaining, double bytesPerSecond) {
    if (remaining <= 0 || bytesPerSecond <= 0) {
      return Duration.ZERO;
    }
    return Duration.ofMillis((long) (remaining * 1000 / bytesPerSecond));
  }
}
