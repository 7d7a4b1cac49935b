package io.ftvm.supervisor.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ftvm vm}: VM descriptions (check one, import one from libvirt). */
@Command(
    name = "vm",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = "VM descriptions: check what ftvm can run, import a libvirt domain.",
    subcommands = {
      VmCheckCommand.class,
      VmImportCommand.class,
      VmDigestCommand.class,
      CommandLine.HelpCommand.class
    })
public final class VmCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand");
  }
}
