package io.ftvm.supervisor.pair;

import java.util.ArrayList;
import java.util.List;

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
 * <p>Every bound is monotonic along the log, so the furthest acknowledgeable chunk is found by
 * binary search: this runs for every chunk that arrives, on the channel's event loop, with possibly
 * tens of thousands of chunks unconsumed while a backup boots.
 *
 * <p>Not thread-safe: {@link BackupLogFeeder} calls it under its own lock.
 */
final class ReplayLagTracker {
  private record Arrival(long endPosition, long arrivalNanos, long instructionsAtEnd) {}

  /** Chunks from index {@code head} on are not consumed entirely yet. */
  private final List<Arrival> chunks = new ArrayList<>();

  private int head;
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
    chunks.add(new Arrival(endPosition, nowNanos, instructionsAtEnd));
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
    while (head < chunks.size() && chunks.get(head).endPosition() <= consumedPosition) {
      Arrival done = chunks.get(head++);
      consumedBoundary = done.endPosition();
      instructionsConsumed = done.instructionsAtEnd();
    }
    if (head > 4096 && head * 2 > chunks.size()) {
      chunks.subList(0, head).clear();
      head = 0;
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
    return head == chunks.size() ? 0 : Math.max(0, nowNanos - chunks.get(head).arrivalNanos());
  }

  /** Predicted time to replay everything received at the measured speed (0 while not known). */
  long backlogReplayNanos() {
    if (head == chunks.size()) {
      return 0;
    }
    return rate.nanosFor(chunks.get(chunks.size() - 1).instructionsAtEnd() - instructionsConsumed);
  }

  /**
   * The furthest chunk end whose unconsumed log before it spans at most {@code maxSpanNanos} (in
   * arrival time and in predicted replay time) and {@code maxBytes}; at least the end of the last
   * chunk QEMU consumed whole. Always an event boundary.
   */
  long acknowledgeable(long maxSpanNanos, long maxBytes) {
    if (head == chunks.size()) {
      return consumedBoundary;
    }
    long oldestArrival = chunks.get(head).arrivalNanos();
    int low = head; // invariant: every chunk before low is within the bounds
    int high = chunks.size(); // ... and none from high on
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (withinBounds(chunks.get(middle), oldestArrival, maxSpanNanos, maxBytes)) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low == head ? consumedBoundary : chunks.get(low - 1).endPosition();
  }

  private boolean withinBounds(
      Arrival chunk, long oldestArrival, long maxSpanNanos, long maxBytes) {
    return chunk.arrivalNanos() - oldestArrival <= maxSpanNanos
        && chunk.endPosition() - consumedPosition <= maxBytes
        && rate.nanosFor(chunk.instructionsAtEnd() - instructionsConsumed) <= maxSpanNanos;
  }
}
