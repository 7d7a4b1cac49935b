package io.ftvm.supervisor.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.supervisor.qmp.QemuVersion;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class QemuVersionCheckTest {
  private static final Path BINARY = Path.of("/usr/bin/qemu-system-x86_64");
  private static final String DEBIAN_12 =
      "QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u16)\n"
          + "Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n";
  private static final String PATCHED =
      "QEMU emulator version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1+ftvm2)\nCopyright ...\n";

  @Test
  void parsesADistributionBuild() throws Exception {
    assertThat(QemuVersionCheck.parse(BINARY, DEBIAN_12))
        .isEqualTo(new QemuVersion(7, 2, 19, "Debian 1:7.2+dfsg-7+deb12u16"));
  }

  @Test
  void parsesABuildWithoutPackageVersion() throws Exception {
    assertThat(QemuVersionCheck.parse(BINARY, "QEMU emulator version 10.0.13\n"))
        .isEqualTo(new QemuVersion(10, 0, 13, ""));
  }

  @Test
  void parsesAVersionWithAGitSuffix() throws Exception {
    assertThat(QemuVersionCheck.parse(BINARY, "QEMU emulator version 10.0.13-dirty (ftvm)\n"))
        .isEqualTo(new QemuVersion(10, 0, 13, "ftvm"));
  }

  @Test
  void rejectsOutputThatIsNotQemusQuotingIt() {
    assertThatThrownBy(() -> QemuVersionCheck.parse(BINARY, "bash: qemu: command not found"))
        .isInstanceOf(QemuVersionMismatchException.class)
        .hasMessageContaining("/usr/bin/qemu-system-x86_64 does not look like QEMU")
        .hasMessageContaining("'bash: qemu: command not found'");
  }

  @Test
  void acceptsOnlyThePatchedBuild() throws Exception {
    QemuRequirement requirement = QemuRequirement.patchedFtvm();

    assertThat(requirement.isSatisfiedBy(QemuVersionCheck.parse(BINARY, PATCHED))).isTrue();
    assertThat(requirement.isSatisfiedBy(new QemuVersion(10, 0, 13, "Debian 1:10.0.13+ds-0")))
        .isFalse();
    assertThat(requirement.isSatisfiedBy(new QemuVersion(10, 0, 12, "ftvm"))).isFalse();
  }

  @Test
  void anEmptyMarkerAcceptsAnyBuildOfTheRightVersion() {
    QemuRequirement stock = QemuRequirement.patchedFtvm().withMarker("");

    assertThat(stock.isSatisfiedBy(new QemuVersion(10, 0, 13, ""))).isTrue();
    assertThat(stock.describe()).isEqualTo("QEMU 10.0.13");
  }
}
