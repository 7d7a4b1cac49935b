package io.ftvm.channel;

/** Source of monotonic nanoseconds; injected so failure detection and stats are testable. */
@FunctionalInterface
public interface MonotonicClock {
  long nanoTime();

  static MonotonicClock system() {
    return System::nanoTime;
  }
}
