package io.ftvm.supervisor.qmp;

/**
 * QEMU answered a command with {@code {"error": {"class": ..., "desc": ...}}}. The error class is
 * kept separately because callers branch on it (e.g. {@code CommandNotFound} means an unpatched
 * QEMU), while the description is only for humans.
 */
public final class QmpCommandException extends QmpException {
  private final String command;
  private final String errorClass;
  private final String description;

  public QmpCommandException(String command, String errorClass, String description) {
    super("QMP command '" + command + "' failed: " + errorClass + ": " + description);
    this.command = command;
    this.errorClass = errorClass;
    this.description = description;
  }

  public String command() {
    return command;
  }

  public String errorClass() {
    return errorClass;
  }

  public String description() {
    return description;
  }
}
