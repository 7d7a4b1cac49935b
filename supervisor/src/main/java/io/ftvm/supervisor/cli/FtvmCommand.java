package io.ftvm.supervisor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ftvm} command. */
@Command(
    name = "ftvm",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = "Fault-tolerant primary/backup pairs of unmodified VMs via QEMU record/replay.",
    subcommands = {
      RecordCommand.class,
      ReplayCommand.class,
      LogCommand.class,
      StartCommand.class,
      StatusCommand.class,
      FailoverCommand.class,
      ProtectCommand.class,
      RejoinCommand.class,
      StopCommand.class,
      DaemonCommand.class,
      VmCommand.class,
      InitCommand.class,
      LockCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class FtvmCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin LoggingMixin logging;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  public static CommandLine commandLine() {
    return new CommandLine(new FtvmCommand()).setExecutionStrategy(LoggingMixin::executionStrategy);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
