package io.ftvm.supervisor.cli;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;

/** How the admin verbs report a failure: one line on stderr naming the verb, exit status 1. */
final class CliErrors {
  static final int FAILURE = 1;

  private CliErrors() {}

  static int fail(CommandSpec spec, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println(spec.qualifiedName(" ") + ": " + message);
    err.flush();
    return FAILURE;
  }
}
