package io.ftvm.supervisor.topology;

import java.util.Optional;

/**
 * A command exited non-zero, timed out or could not be started. The message reads like {@code ip
 * link add ... failed (exit 2): RTNETLINK answers: File exists}.
 */
public class CommandFailedException extends TopologyException {
  private static final long serialVersionUID = 1L;

  private final transient CommandResult result;

  public CommandFailedException(CommandResult result) {
    super(describe(result));
    this.result = result;
  }

  public CommandFailedException(String message, Throwable cause) {
    super(message, cause);
    this.result = null;
  }

  /** The finished command, absent when it never ran to an exit status (timeout, exec failure). */
  public Optional<CommandResult> result() {
    return Optional.ofNullable(result);
  }

  /** The trimmed stderr of the command, or an empty string. */
  public String stderr() {
    return result == null ? "" : result.stderr().strip();
  }

  private static String describe(CommandResult result) {
    String stderr = result.stderr().strip();
    String detail = stderr.isEmpty() ? result.stdout().strip() : stderr;
    return result.commandLine()
        + " failed (exit "
        + result.exitCode()
        + ")"
        + (detail.isEmpty() ? "" : ": " + detail.replace('\n', ' '));
  }
}
