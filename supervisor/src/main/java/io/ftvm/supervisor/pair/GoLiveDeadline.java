package io.ftvm.supervisor.pair;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The bound on GOING_LIVE ({@link PairConfig.Timing#goLiveDeadlineMillis}): every wait of a go-live
 * takes what is left of it, so the node is live or halted once it is spent. The one exception is
 * time while shared storage is unreachable, which does not count: then nobody may go live, and the
 * node holds its outputs for as long as it takes (safety over liveness).
 */
final class GoLiveDeadline {
  private final LongSupplier nanoClock;
  private final long budgetNanos;
  private final long startNanos;
  private long excludedNanos;

  private GoLiveDeadline(Duration budget, LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
    this.budgetNanos = budget.toNanos();
    this.startNanos = nanoClock.getAsLong();
  }

  static GoLiveDeadline start(Duration budget, LongSupplier nanoClock) {
    return new GoLiveDeadline(budget, nanoClock);
  }

  Duration budget() {
    return Duration.ofNanos(budgetNanos);
  }

  /** What is left (never negative). */
  Duration remaining() {
    long left = startNanos + budgetNanos + excludedNanos - nanoClock.getAsLong();
    return Duration.ofNanos(Math.max(0, left));
  }

  boolean expired() {
    return remaining().isZero();
  }

  /** Time that does not count against the bound (shared storage unreachable). */
  void exclude(Duration time) {
    excludedNanos += Math.max(0, time.toNanos());
  }

  /** Time since the start, for reasons and logs. */
  Duration elapsed() {
    return Duration.ofNanos(nanoClock.getAsLong() - startNanos);
  }
}
