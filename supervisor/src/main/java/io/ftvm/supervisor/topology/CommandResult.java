package io.ftvm.supervisor.topology;

import java.util.List;

/** The outcome of one finished command: its argv, exit status and captured output. */
public record CommandResult(List<String> argv, int exitCode, String stdout, String stderr) {
  public CommandResult {
    argv = List.copyOf(argv);
  }

  public boolean succeeded() {
    return exitCode == 0;
  }

  /** The argv joined by spaces, the way an admin would type it again. */
  public String commandLine() {
    return String.join(" ", argv);
  }
}
