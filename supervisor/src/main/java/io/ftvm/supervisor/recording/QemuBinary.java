package io.ftvm.supervisor.recording;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks a {@code --qemu} value before anything is started. */
final class QemuBinary {
  private QemuBinary() {}

  /**
   * A path with a directory must be an executable file; a bare name must be found on PATH.
   *
   * @throws BadInputException saying which and where it was looked for
   */
  static void check(Path qemu) throws BadInputException {
    if (qemu.getParent() != null) {
      if (!Files.isRegularFile(qemu) || !Files.isExecutable(qemu)) {
        throw new BadInputException("--qemu " + qemu + " is not an executable file");
      }
      return;
    }
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir).resolve(qemu))) {
        return;
      }
    }
    throw new BadInputException(
        "--qemu "
            + qemu
            + " is not on PATH ("
            + path
            + "); pass the patched build's path or set FTVM_QEMU");
  }
}
