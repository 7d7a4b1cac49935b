package io.ftvm.supervisor.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --qemu}: which QEMU binary to run, shared by record and replay. */
public final class QemuOption {
  @Option(
      names = "--qemu",
      paramLabel = "<path>",
      defaultValue = "${env:FTVM_QEMU:-qemu-system-x86_64}",
      description =
          "QEMU binary (the patched 10.0.13+ftvm build). Default: $FTVM_QEMU, else"
              + " qemu-system-x86_64 on PATH. Current: ${DEFAULT-VALUE}.")
  Path qemu;

  public Path qemu() {
    return qemu;
  }
}
