package io.ftvm.supervisor.pair;

import java.time.Duration;

/**
 * When to try re-protection again after a failed attempt: exponential from {@code first}, doubling
 * per consecutive failure, capped at {@code max} (a host that keeps failing is retried every {@code
 * max}, never given up on: the VM stays unprotected until it works). A success or an explicit
 * {@code ftvm protect} starts over. Not thread-safe: used on the role-decision thread.
 */
final class ReprotectBackoff {
  static final Duration DEFAULT_FIRST = Duration.ofSeconds(2);
  static final Duration DEFAULT_MAX = Duration.ofSeconds(60);

  private final Duration first;
  private final Duration max;
  private int failures;
  private long notBeforeNanos = Long.MIN_VALUE;
  private boolean waiting;

  ReprotectBackoff(Duration first, Duration max) {
    if (first.isNegative() || first.isZero() || max.compareTo(first) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < first <= max: " + first + ", " + max);
    }
    this.first = first;
    this.max = max;
  }

  static ReprotectBackoff defaults() {
    return new ReprotectBackoff(DEFAULT_FIRST, DEFAULT_MAX);
  }

  /** Records a failed attempt at {@code nowNanos}; returns how long until the next may start. */
  Duration failed(long nowNanos) {
    failures++;
    Duration delay = delayAfter(failures);
    notBeforeNanos = nowNanos + delay.toNanos();
    waiting = true;
    return delay;
  }

  /** The delay after {@code consecutiveFailures} failures: first, 2*first, 4*first ... max. */
  Duration delayAfter(int consecutiveFailures) {
    if (consecutiveFailures <= 0) {
      return Duration.ZERO;
    }
    int doublings = Math.min(consecutiveFailures - 1, 30);
    long nanos = first.toNanos();
    for (int i = 0; i < doublings && nanos < max.toNanos(); i++) {
      nanos *= 2;
    }
    return Duration.ofNanos(Math.min(nanos, max.toNanos()));
  }

  /** Protected again, or the admin asked explicitly: the next attempt may start at once. */
  void reset() {
    failures = 0;
    waiting = false;
    notBeforeNanos = Long.MIN_VALUE;
  }

  boolean mayStart(long nowNanos) {
    return !waiting || nowNanos - notBeforeNanos >= 0;
  }

  /** Time left before the next attempt may start (zero if it may start now). */
  Duration remaining(long nowNanos) {
    return mayStart(nowNanos) ? Duration.ZERO : Duration.ofNanos(notBeforeNanos - nowNanos);
  }

  int consecutiveFailures() {
    return failures;
  }
}
