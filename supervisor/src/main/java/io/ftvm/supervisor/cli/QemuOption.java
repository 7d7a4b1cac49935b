package io.ftvm.supervisor.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --qemu}: which QEMU binary to run, shared by record, replay and version. */
public final class QemuOption {
  static final Path ON_PATH = Path.of("qemu-system-x86_64");

  @Option(
      names = "--qemu",
      paramLabel = "<path>",
      defaultValue = "${env:FTVM_QEMU}",
      description =
          "QEMU binary (the patched 10.0.13+ftvm build). Default: $FTVM_QEMU, else the cached"
              + " patched build that 'ftvm start' uses too (qemu-patches/build.sh: instant when"
              + " cached; 'version' looks for qemu-system-x86_64 on PATH instead).")
  Path qemu;

  /** The named binary, else {@code qemu-system-x86_64} on PATH. */
  public Path qemu() {
    return qemu != null ? qemu : ON_PATH;
  }

  /**
   * The named binary, else the patched build exactly as {@code ftvm start} finds it (so the
   * README's record/replay commands work right after scripts/setup.sh).
   */
  public Path patchedQemu() throws IOException, InterruptedException {
    if (qemu != null) {
      return qemu;
    }
    try {
      return BuildArtifacts.fromSystemEnvironment().build(BuildArtifacts.QEMU_SCRIPT);
    } catch (IOException e) {
      throw new IOException(
          "no --qemu given, $FTVM_QEMU unset, and the patched build was not found: "
              + e.getMessage(),
          e);
    }
  }
}
