package io.ftvm.supervisor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ftvm log}: tools for replay logs. */
@Command(
    name = "log",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = "Examine replay logs and run bundles.",
    subcommands = {LogInspectCommand.class})
public final class LogCommand implements Runnable {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing log command");
  }
}
