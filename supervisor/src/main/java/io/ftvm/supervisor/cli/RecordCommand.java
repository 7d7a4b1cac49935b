package io.ftvm.supervisor.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ftvm record}: run a VM once in record mode and keep its replay log as a run bundle. */
@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description =
        "Boot a VM in QEMU record mode, run a workload for a while and save the replay "
            + "log, disk image digest and console output as a run bundle (replayable with "
            + "'ftvm replay').")
public final class RecordCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Option(
      names = "--vm",
      paramLabel = "<test-vm|vm.json>",
      defaultValue = "test-vm",
      description = "The built-in test VM, or a vm.json describing kernel, initrd and disk.")
  String vm;

  @Option(
      names = "--workload",
      defaultValue = "idle",
      description = "Guest workload: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Workload workload;

  @Option(
      names = "--seconds",
      defaultValue = "30",
      paramLabel = "N",
      description = "How long to record after boot. Default: ${DEFAULT-VALUE}.")
  int seconds;

  @Option(
      names = "--out",
      defaultValue = "run.ftlog",
      paramLabel = "<bundle>",
      description = "Run bundle to write. Default: ${DEFAULT-VALUE}.")
  Path out;

  @Mixin QemuOption qemu;

  @Override
  public Integer call() {
    return NotImplementedYet.report(spec);
  }
}
