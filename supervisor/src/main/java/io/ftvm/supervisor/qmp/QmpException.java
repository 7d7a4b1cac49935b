package io.ftvm.supervisor.qmp;

/** Base of every failure reported by the QMP client. */
public class QmpException extends RuntimeException {
  public QmpException(String message) {
    super(message);
  }

  public QmpException(String message, Throwable cause) {
    super(message, cause);
  }
}
