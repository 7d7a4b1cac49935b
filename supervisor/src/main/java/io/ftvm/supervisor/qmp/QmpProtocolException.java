package io.ftvm.supervisor.qmp;

/**
 * The peer sent bytes that are not QMP: not JSON, not an object, or a message of unknown shape. The
 * offset counts bytes from the start of the stream so the culprit can be found in a capture.
 */
public final class QmpProtocolException extends QmpException {
  private final long streamOffset;

  public QmpProtocolException(String message, long streamOffset) {
    super(message + " (at stream offset " + streamOffset + ")");
    this.streamOffset = streamOffset;
  }

  public QmpProtocolException(String message, long streamOffset, Throwable cause) {
    super(message + " (at stream offset " + streamOffset + ")", cause);
    this.streamOffset = streamOffset;
  }

  public long streamOffset() {
    return streamOffset;
  }
}
