package io.ftvm.channel;

import java.time.Duration;

final class FakeClock implements MonotonicClock {
  private long now = 1_000_000_000L;

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  synchronized void advance(Duration by) {
    now += by.toNanos();
  }
}
