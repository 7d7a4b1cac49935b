package io.ftvm.supervisor.recording;

/** QEMU or the environment failed while recording or replaying (not the user's input). */
public final class RecordingFailedException extends Exception {
  private static final long serialVersionUID = 1L;

  public RecordingFailedException(String message) {
    super(message);
  }

  public RecordingFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
