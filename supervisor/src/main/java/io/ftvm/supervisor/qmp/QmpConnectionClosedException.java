package io.ftvm.supervisor.qmp;

/**
 * The QMP connection ended while a command was outstanding or before it was sent: QEMU exited,
 * closed the socket, or the client was closed.
 */
public final class QmpConnectionClosedException extends QmpException {
  public QmpConnectionClosedException(String message) {
    super(message);
  }

  public QmpConnectionClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
