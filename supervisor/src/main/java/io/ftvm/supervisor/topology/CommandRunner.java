package io.ftvm.supervisor.topology;

import java.time.Duration;
import java.util.List;

/** Runs a command to completion; the seam that lets topology logic be tested without root. */
public interface CommandRunner {
  /**
   * Runs {@code argv} and returns however it ended.
   *
   * @throws CommandFailedException only if the command could not be started or exceeded {@code
   *     timeout}; a non-zero exit is returned, not thrown
   */
  CommandResult run(List<String> argv, Duration timeout);

  /** Runs {@code argv} and throws {@link CommandFailedException} unless it exits 0. */
  default CommandResult runChecked(List<String> argv, Duration timeout) {
    CommandResult result = run(argv, timeout);
    if (!result.succeeded()) {
      throw new CommandFailedException(result);
    }
    return result;
  }
}
