package io.ftvm.supervisor.pair;

import java.util.ArrayDeque;

/**
 * How far the backup's replay is behind the log it received, in time, and the furthest position it
 * may acknowledge without promising a go-live more replay than the bound allows.
 *
 * <p>Each whole-event chunk is remembered with its arrival time and the guest instructions the log
 * holds up to its end. The replay lag is the age of the oldest byte QEMU has not consumed. A chunk
 * end may be acknowledged when the unconsumed log before it both arrived within {@code maxLag} and
 * holds no more than {@code maxLag} worth of guest instructions at the rate this replay was seen
 * consuming them. Arrival time alone is fooled by bursts: a primary whose log pump was held by flow
 * control keeps running into its pipe and then sends seconds of execution at once; instructions
 * count that work whatever its arrival pattern.
 *
 * <p>Not thread-safe: {@link BackupLogFeeder} calls it under its own lock.
 */
final class ReplayLagTracker {
  private record Arrival(long endPosition, long arrivalNanos, long instructionsAtEnd) {}

  private final ArrayDeque<Arrival> unconsumed = new ArrayDeque<>();
  private final ReplayRate rate;
  private long consumedPosition;
  private long consumedBoundary;
  private long instructionsConsumed;
  private long receivedEnd;

  ReplayLagTracker(ReplayRate rate) {
    this.rate = rate;
  }

  /** A chunk of whole events ending at {@code endPosition} arrived. */
  void arrived(long endPosition, long instructionsAtEnd, long nowNanos) {
    if (endPosition <= receivedEnd) {
      return;
    }
    receivedEnd = endPosition;
    unconsumed.addLast(new Arrival(endPosition, nowNanos, instructionsAtEnd));
  }

  /**
   * QEMU has consumed the log up to {@code position} (never moves back).
   *
   * @param busy QEMU had log waiting for it since the previous call, so the instructions it got
   *     through in between measure its replay speed
   */
  void consumedUpTo(long position, long nowNanos, boolean busy) {
    long before = instructionsConsumed;
    consumedPosition = Math.max(consumedPosition, Math.min(position, receivedEnd));
    while (!unconsumed.isEmpty() && unconsumed.peekFirst().endPosition() <= consumedPosition) {
      Arrival done = unconsumed.removeFirst();
      consumedBoundary = done.endPosition();
      instructionsConsumed = done.instructionsAtEnd();
    }
    rate.observe(nowNanos, instructionsConsumed - before, busy);
  }

  long consumedPosition() {
    return consumedPosition;
  }

  long receivedEnd() {
    return receivedEnd;
  }

  /** Age of the oldest byte QEMU has not consumed; 0 when it consumed everything received. */
  long lagNanos(long nowNanos) {
    Arrival oldest = unconsumed.peekFirst();
    return oldest == null ? 0 : Math.max(0, nowNanos - oldest.arrivalNanos());
  }

  /** Predicted time to replay everything received at the measured speed (0 while not known). */
  long backlogReplayNanos() {
    Arrival newest = unconsumed.peekLast();
    return newest == null ? 0 : rate.nanosFor(newest.instructionsAtEnd() - instructionsConsumed);
  }

  /**
   * The furthest chunk end whose unconsumed log before it spans at most {@code maxSpanNanos} (in
   * arrival time and in predicted replay time) and {@code maxBytes}; at least the end of the last
   * chunk QEMU consumed whole. Always an event boundary.
   */
  long acknowledgeable(long maxSpanNanos, long maxBytes) {
    long best = consumedBoundary;
    Arrival oldest = unconsumed.peekFirst();
    if (oldest == null) {
      return best;
    }
    for (Arrival chunk : unconsumed) {
      if (chunk.arrivalNanos() - oldest.arrivalNanos() > maxSpanNanos
          || chunk.endPosition() - consumedPosition > maxBytes) {
        break;
      }
      long replayNanos = rate.nanosFor(chunk.instructionsAtEnd() - instructionsConsumed);
      if (replayNanos > maxSpanNanos) {
        break;
      }
      best = chunk.endPosition();
    }
    return best;
  }
}
