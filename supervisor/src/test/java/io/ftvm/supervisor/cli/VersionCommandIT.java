package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VersionCommandIT {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private Path fakeQemu(String firstLine) throws Exception {
    Path script = dir.resolve("qemu-system-x86_64");
    Files.writeString(script, "#!/bin/sh\necho '" + firstLine + "'\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  @Test
  void reportsAUsablePatchedQemu() throws Exception {
    Path qemu = fakeQemu("QEMU emulator version 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1+ftvm1)");

    int exit = run("version", "--qemu", qemu.toString());

    assertThat(exit).isZero();
    assertThat(out.toString())
        .startsWith("ftvm ")
        .contains("Java 17")
        .contains(qemu + ": QEMU 10.0.13 (Debian 1:10.0.13+ds-0+deb13u1+ftvm1) (usable)");
  }

  @Test
  void refusesAStockQemuWithExitStatusOne() throws Exception {
    Path qemu = fakeQemu("QEMU emulator version 7.2.19 (Debian 1:7.2+dfsg-7+deb12u16)");

    int exit = run("version", "--qemu", qemu.toString());

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .contains("ftvm needs the patched QEMU 10.0.13+ftvm; " + qemu + " is QEMU 7.2.19");
  }

  @Test
  void anEmptyMarkerAcceptsTheUnpatchedBaseline() throws Exception {
    Path qemu = fakeQemu("QEMU emulator version 10.0.13");

    assertThat(run("version", "--qemu", qemu.toString(), "--qemu-marker", "")).isZero();
  }
}
