package io.ftvm.supervisor.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Shared answer of verbs whose options parse but whose behaviour is still being built. */
final class NotImplementedYet {
  /** Distinct from success (0) and generic failure (1) so scripts can tell the difference. */
  static final int EXIT_CODE = 2;

  private NotImplementedYet() {}

  static int report(CommandLine.Model.CommandSpec spec) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(
        "ftvm " + spec.qualifiedName(" ").replaceFirst("^ftvm ", "") + ": not implemented yet");
    err.flush();
    return EXIT_CODE;
  }
}
