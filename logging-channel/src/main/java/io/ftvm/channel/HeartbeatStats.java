package io.ftvm.channel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures what failure detection has to tolerate: gaps between heartbeat arrivals (max and p99.9,
 * the figures the timeout is chosen from), how much of a gap the peer caused (gaps between the
 * peer's own send stamps) and how late this end's own detector and event loop ran (local stalls,
 * which detection discounts). Thread-safe; a few updates per heartbeat interval.
 */
public final class HeartbeatStats {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatStats.class);
  private static final int BUCKET_MILLIS = 1;
  private static final int BUCKETS = 10_000;

  private final long reportAboveNanos;
  private final long[] gapCounts = new long[BUCKETS + 1];
  private long gapSamples;
  private long lastArrivalNanos = -1;
  private long lastPeerSendNanos;
  private long maxGapNanos;
  private long maxPeerSendGapNanos;
  private long maxLocalStallNanos;

  /**
   * @param reportAboveNanos gaps and local stalls longer than this are logged
   */
  public HeartbeatStats(long reportAboveNanos) {
    this.reportAboveNanos = reportAboveNanos;
  }

  /** Event loop: a heartbeat the peer stamped at {@code peerSendNanos} (its clock) arrived now. */
  public synchronized void onHeartbeat(long arrivalNanos, long peerSendNanos) {
    if (lastArrivalNanos >= 0) {
      long gap = arrivalNanos - lastArrivalNanos;
      long peerGap = peerSendNanos - lastPeerSendNanos;
      gapCounts[(int) Math.min(BUCKETS, Math.max(0, gap / 1_000_000 / BUCKET_MILLIS))]++;
      gapSamples++;
      maxGapNanos = Math.max(maxGapNanos, gap);
      maxPeerSendGapNanos = Math.max(maxPeerSendGapNanos, peerGap);
      if (gap > reportAboveNanos) {
        log.info(
            "Heartbeat gap {} ms (peer sent them {} ms apart; max gap so far {} ms)",
            gap / 1_000_000,
            peerGap / 1_000_000,
            maxGapNanos / 1_000_000);
      }
    }
    lastArrivalNanos = arrivalNanos;
    lastPeerSendNanos = peerSendNanos;
  }

  /** A new session restarts the peer's counter and clock stamps: the next arrival is no gap. */
  public synchronized void onSessionStart() {
    lastArrivalNanos = -1;
  }

  /**
   * This end's {@code what} (detector tick, event-loop probe) ran {@code lateNanos} after it should
   * have.
   */
  public synchronized void onLocalDelay(String what, long lateNanos) {
    maxLocalStallNanos = Math.max(maxLocalStallNanos, lateNanos);
    if (lateNanos > reportAboveNanos) {
      log.info(
          "Local stall: {} ran {} ms late (not counted as peer silence)",
          what,
          lateNanos / 1_000_000);
    }
  }

  public synchronized long maxGapNanos() {
    return maxGapNanos;
  }

  public synchronized long maxPeerSendGapNanos() {
    return maxPeerSendGapNanos;
  }

  public synchronized long maxLocalStallNanos() {
    return maxLocalStallNanos;
  }

  public synchronized long gapSamples() {
    return gapSamples;
  }

  /**
   * Nearest-rank percentile of heartbeat gaps at 1 ms resolution (rounded down), -1 without
   * samples; gaps of 10 s or more count as 10 s.
   */
  public synchronized long gapPercentileNanos(double fraction) {
    if (gapSamples == 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(fraction * gapSamples));
    long seen = 0;
    for (int bucket = 0; bucket <= BUCKETS; bucket++) {
      seen += gapCounts[bucket];
      if (seen >= rank) {
        return Math.min((long) bucket * BUCKET_MILLIS * 1_000_000, maxGapNanos);
      }
    }
    return maxGapNanos;
  }
}
