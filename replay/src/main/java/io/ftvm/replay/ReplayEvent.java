package io.ftvm.replay;

/**
 * One complete event of a replay log.
 *
 * @param offset absolute offset of the event's code byte
 * @param length total bytes including the code byte
 * @param kind what the code byte says
 * @param argument the instruction count for {@link EventKind#INSTRUCTION}, the clock value for
 *     CLOCK_* events, the id for ASYNC_BH/BH_ONESHOT/BLOCK, otherwise 0
 */
public record ReplayEvent(long offset, int length, EventKind kind, long argument) {

  /** Instructions executed before the next event; 0 unless this is an INSTRUCTION event. */
  public long instructions() {
    return kind == EventKind.INSTRUCTION ? argument : 0;
  }

  /** Bytes after the code byte. */
  public int payloadSize() {
    return length - 1;
  }

  /** Offset just past this event: a position at which the log may be cut. */
  public long end() {
    return offset + length;
  }
}
