package io.ftvm.supervisor.cli;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Polls a condition until it holds or time runs out, logging where things stand every so often so
 * the admin sees that a long wait (booting a pair, a switchover) is progressing.
 */
final class ProgressWait {
  /** The condition; may throw to abort the wait (e.g. a node halted instead of going live). */
  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  private final Logger log;
  private final Duration pollInterval;
  private final Duration reportInterval;

  ProgressWait(Logger log, Duration pollInterval, Duration reportInterval) {
    this.log = log;
    this.pollInterval = pollInterval;
    this.reportInterval = reportInterval;
  }

  /**
   * @return true if the condition held within {@code timeout}
   */
  boolean until(Condition condition, Duration timeout, Supplier<String> progress) throws Exception {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long nextReport = started + reportInterval.toNanos();
    while (!condition.holds()) {
      long now = System.nanoTime();
      if (now >= deadline) {
        return false;
      }
      if (now >= nextReport) {
        log.info("{} ({} s)", progress.get(), (now - started) / 1_000_000_000L);
        nextReport = now + reportInterval.toNanos();
      }
      Thread.sleep(pollInterval.toMillis());
    }
    return true;
  }
}
