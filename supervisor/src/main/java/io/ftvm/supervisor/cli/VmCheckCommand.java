package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.vm.VmBoot;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDescriptions;
import io.ftvm.supervisor.vm.VmDisk;
import io.ftvm.supervisor.vm.VmNic;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftvm vm check}: validates a description without starting anything. */
@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Check a VM description (format 2, or a test VM's vm.json) without starting it: prints"
          + " what ftvm would run, or every item ftvm cannot honour.",
      "Exit status: 0 runnable, 1 not runnable as described."
    })
public final class VmCheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Parameters(paramLabel = "<description>", description = "A description file or VM directory.")
  Path description;

  @Override
  public Integer call() {
    VmDescriptions.Checked checked = new VmDescriptions().check(description);
    if (!checked.problems().isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          io.ftvm.supervisor.vm.UnsupportedVmException.message(
              description.toString(), checked.problems()));
      err.flush();
      return ExitStatus.FAILED;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(summary(checked.description()));
    out.flush();
    return ExitStatus.OK;
  }

  static String summary(VmDescription vm) {
    StringBuilder text = new StringBuilder();
    text.append("VM ").append(vm.name()).append(": runnable by ftvm\n");
    text.append(
        String.format(
            "  machine   : %s, cpu %s, %s, %d vCPU, %d MiB%n",
            vm.machine(), vm.cpuModel(), vm.accelerator(), vm.vcpus(), vm.memoryMib()));
    if (vm.boot() instanceof VmBoot.DirectKernel kernel) {
      text.append("  boot      : kernel ")
          .append(kernel.kernel())
          .append(kernel.initrd() == null ? "" : ", initrd " + kernel.initrd())
          .append(", cmdline \"")
          .append(kernel.cmdline())
          .append("\"\n");
    } else {
      text.append("  boot      : from the first disk through the BIOS (SeaBIOS)\n");
    }
    for (VmDisk disk : vm.disks()) {
      text.append(
          String.format("  disk      : %s (%s, %s)%n", disk.file(), disk.format(), disk.bus()));
    }
    for (VmNic nic : vm.nics()) {
      text.append(String.format("  nic       : %s %s%n", nic.model(), nic.mac()));
    }
    text.append("  guest IP  : ").append(vm.guestCidr().orElse("unknown")).append('\n');
    text.append("  ready     : ").append(vm.readiness()).append('\n');
    return text.toString();
  }
}
