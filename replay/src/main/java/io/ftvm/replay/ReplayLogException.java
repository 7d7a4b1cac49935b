package io.ftvm.replay;

import java.io.IOException;

/**
 * A replay log that cannot be used as is. Carries the absolute byte offset where the problem was
 * detected, a machine-readable {@link Reason} and a message meant for an operator.
 */
public final class ReplayLogException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Why a log was rejected. */
  public enum Reason {
    /** Bytes that QEMU 10.0 cannot have written (unknown code, impossible field value). */
    CORRUPT,
    /** The stream ended inside the header or inside an event. */
    TRUNCATED,
    /** A replay log of another QEMU version. */
    FOREIGN_VERSION,
    /** Not a replay log at all. */
    NOT_A_REPLAY_LOG,
    /** Header still zero: the recorder has not exited (or died) and the caller did not allow it. */
    UNFINALIZED_HEADER
  }

  private final Reason reason;
  private final long offset;

  public ReplayLogException(Reason reason, long offset, String message) {
    super(message);
    this.reason = reason;
    this.offset = offset;
  }

  public Reason reason() {
    return reason;
  }

  /** Absolute byte offset in the log at which the problem was detected. */
  public long offset() {
    return offset;
  }

  static ReplayLogException corrupt(long offset, String detail) {
    return new ReplayLogException(
        Reason.CORRUPT, offset, "corrupt replay log at byte " + offset + ": " + detail);
  }
}
