package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.hypervisor.QemuRequirement;
import io.ftvm.supervisor.hypervisor.QemuVersionCheck;
import io.ftvm.supervisor.hypervisor.QemuVersionMismatchException;
import io.ftvm.supervisor.qmp.QemuVersion;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ftvm version}: ftvm's version and whether the configured QEMU is usable. */
@Command(
    name = "version",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description =
        "Print the ftvm and Java versions and check the QEMU binary: ftvm needs the "
            + "patched QEMU 10.0.13 whose package version carries the ftvm marker. Exit "
            + "status: 0 if QEMU is usable, 1 if not.")
public final class VersionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin QemuOption qemu;

  @Option(
      names = "--qemu-marker",
      paramLabel = "<text>",
      defaultValue = "${env:FTVM_QEMU_MARKER:-ftvm}",
      description =
          "Text the QEMU package version must contain; empty accepts any 10.0.13 build."
              + " Default: ${DEFAULT-VALUE}.")
  String marker;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.println("ftvm " + FtvmVersionProvider.ftvmVersion());
    out.println(
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    QemuVersionCheck check = new QemuVersionCheck(QemuRequirement.patchedFtvm().withMarker(marker));
    try {
      QemuVersion version = check.verify(qemu.qemu());
      out.println(qemu.qemu() + ": " + version + " (usable)");
      out.flush();
      return 0;
    } catch (QemuVersionMismatchException e) {
      out.flush();
      PrintWriter err = spec.commandLine().getErr();
      err.println("ftvm: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
