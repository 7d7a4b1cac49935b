package io.ftvm.supervisor.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.supervisor.qmp.QemuVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real executables standing in for QEMU: the check must execute, not just parse. */
class QemuVersionCheckIT {
  @TempDir Path dir;

  private Path fakeQemu(String firstLine, int exitCode) throws Exception {
    Path script = dir.resolve("qemu-system-x86_64");
    Files.writeString(
        script,
        "#!/bin/sh\n[ \"$1\" = --version ] || exit 99\necho '"
            + firstLine
            + "'\necho 'Copyright (c) 2003-2025 Fabrice Bellard and the QEMU Project developers'\n"
            + "exit "
            + exitCode
            + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  @Test
  void refusesAStockQemuNamingBothVersions() throws Exception {
    Path qemu = fakeQemu("QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u16)", 0);

    assertThatThrownBy(() -> new QemuVersionCheck(QemuRequirement.patchedFtvm()).verify(qemu))
        .isInstanceOf(QemuVersionMismatchException.class)
        .hasMessage(
            "ftvm needs the patched QEMU 10.0.13+ftvm; "
                + qemu
                + " is QEMU 7.2.19 (Debian 1:7.2+dfsg-7+deb12u16)");
  }

  @Test
  void acceptsThePatchedBuild() throws Exception {
    Path qemu = fakeQemu("QEMU emulator version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1+ftvm1)", 0);

    QemuVersion version = new QemuVersionCheck(QemuRequirement.patchedFtvm()).verify(qemu);

    assertThat(version.packageVersion()).endsWith("+ftvm1");
  }

  @Test
  void reportsAFailingBinaryWithItsOutput() throws Exception {
    Path qemu = fakeQemu("qemu: could not load PC BIOS", 1);

    assertThatThrownBy(() -> new QemuVersionCheck(QemuRequirement.patchedFtvm()).verify(qemu))
        .isInstanceOf(QemuVersionMismatchException.class)
        .hasMessageContaining("--version exited with 1")
        .hasMessageContaining("could not load PC BIOS");
  }

  @Test
  void reportsAMissingBinary() {
    Path missing = dir.resolve("nowhere/qemu-system-x86_64");

    assertThatThrownBy(() -> new QemuVersionCheck(QemuRequirement.patchedFtvm()).verify(missing))
        .isInstanceOf(QemuVersionMismatchException.class)
        .hasMessageContaining("cannot run " + missing);
  }
}
