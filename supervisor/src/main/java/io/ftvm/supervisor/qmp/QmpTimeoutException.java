package io.ftvm.supervisor.qmp;

import java.time.Duration;

/** QEMU did not answer a command within its deadline; the connection itself stays usable. */
public final class QmpTimeoutException extends QmpException {
  public QmpTimeoutException(String command, Duration timeout) {
    super("QMP command '" + command + "' got no answer within " + timeout.toMillis() + " ms");
  }
}
