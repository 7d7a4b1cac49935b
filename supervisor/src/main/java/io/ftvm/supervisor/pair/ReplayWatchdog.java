package io.ftvm.supervisor.pair;

/**
 * Notices a replay that stopped: log is waiting for QEMU, yet the position QEMU consumed has not
 * moved for {@code stallNanos}. A replay with nothing to read is idle, not stalled; a QEMU that
 * still has a few KiB in its stdio buffer but is wedged looks idle until the feeder has more for
 * it, which it soon has while the primary runs.
 *
 * <p>Not thread-safe: {@link BackupLogFeeder} calls it under its own lock.
 */
final class ReplayWatchdog {
  private final long stallNanos;
  private long lastConsumed = -1;
  private long progressNanos;
  private long longestPauseNanos;
  private boolean armed;
  private boolean stalled;

  ReplayWatchdog(long stallNanos) {
    this.stallNanos = stallNanos;
  }

  /** Starts watching (QEMU has opened its end of the log), counting from {@code nowNanos}. */
  void arm(long nowNanos) {
    armed = true;
    progressNanos = nowNanos;
  }

  /** Stops watching for good (the stream ended for go-live, or the node stops). */
  void disarm() {
    armed = false;
  }

  /**
   * @param consumedPosition how far QEMU read the log
   * @param logWaiting the pipe or the feeder's queue holds whole events QEMU has not read
   * @return true exactly once: at the observation that finds the replay stalled
   */
  boolean observe(long nowNanos, long consumedPosition, boolean logWaiting) {
    if (!armed || stalled) {
      return false;
    }
    if (consumedPosition != lastConsumed || !logWaiting) {
      if (consumedPosition != lastConsumed && lastConsumed >= 0) {
        // A pause that ended in progress: what a healthy replay does.
        longestPauseNanos = Math.max(longestPauseNanos, nowNanos - progressNanos);
      }
      lastConsumed = consumedPosition;
      progressNanos = nowNanos;
      return false;
    }
    long pause = nowNanos - progressNanos;
    if (pause >= stallNanos) {
      stalled = true;
      return true;
    }
    return false;
  }

  boolean stalled() {
    return stalled;
  }

  /** How long log has been waiting with no progress (0 while progressing or idle). */
  long pausedNanos(long nowNanos) {
    return armed && lastConsumed >= 0 ? Math.max(0, nowNanos - progressNanos) : 0;
  }

  /**
   * The longest wait without progress that ended in progress: what a healthy replay does, and what
   * a stall bound must stay well above.
   */
  long longestPauseNanos() {
    return longestPauseNanos;
  }
}
