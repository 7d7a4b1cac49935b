package io.ftvm.supervisor.pair;

import java.time.Duration;

/**
 * The backup's promises about its replay.
 *
 * @param maxLag the unconsumed log before any acknowledged position spans at most this (so a
 *     go-live replays at most about this much)
 * @param maxBacklogBytes backstop: never acknowledge more than this far ahead of what QEMU consumed
 * @param stall log waiting and QEMU consuming none of it for this long means the replay is stuck
 */
public record ReplayBounds(Duration maxLag, long maxBacklogBytes, Duration stall) {
  public static ReplayBounds of(PairConfig.Timing timing) {
    return new ReplayBounds(
        Duration.ofMillis(timing.maxReplayLagMillis()),
        timing.maxReplayBacklogBytes(),
        Duration.ofMillis(timing.replayStallMillis()));
  }

  /** Acknowledge everything received, never call a replay stalled: tests of the replay itself. */
  public static ReplayBounds unbounded() {
    return new ReplayBounds(Duration.ofDays(365), Long.MAX_VALUE / 4, Duration.ofDays(365));
  }
}
