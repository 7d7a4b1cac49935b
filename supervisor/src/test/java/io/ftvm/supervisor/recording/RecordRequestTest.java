package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordRequestTest {
  @TempDir Path dir;
  private VmDefinition vm;
  private Path qemu;

  @BeforeEach
  void files() throws Exception {
    vm = VmDefinitionTest.writeVm(dir.resolve("vm"));
    qemu = Files.writeString(dir.resolve("qemu"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(qemu, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private RecordRequest request(String workload, int seconds, Path out, Path qemuBinary) {
    return new RecordRequest(vm, workload, seconds, out, qemuBinary, Duration.ofMinutes(1));
  }

  @Test
  void acceptsAUsableRequest() throws Exception {
    request("net", 15, dir.resolve("run.ftlog"), qemu).validate();
  }

  @Test
  void onlyNetworkWorkloadsGetAnOutsideWorld() {
    assertThat(request("net", 1, dir, qemu).needsNetworkTraffic()).isTrue();
    assertThat(request("all", 1, dir, qemu).needsNetworkTraffic()).isTrue();
    assertThat(request("idle", 1, dir, qemu).needsNetworkTraffic()).isFalse();
    assertThat(request("disk", 1, dir, qemu).needsNetworkTraffic()).isFalse();
  }

  @Test
  void rejectsZeroSeconds() {
    assertThatThrownBy(() -> request("idle", 0, dir.resolve("r"), qemu).validate())
        .isInstanceOf(BadInputException.class)
        .hasMessage("--seconds 0 is out of range (1 to 86400)");
  }

  @Test
  void rejectsAnUnknownWorkload() {
    assertThatThrownBy(() -> request("gpu", 5, dir.resolve("r"), qemu).validate())
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("--workload gpu is not one of");
  }

  @Test
  void rejectsADirectoryAsOutput() {
    assertThatThrownBy(() -> request("idle", 5, dir, qemu).validate())
        .isInstanceOf(BadInputException.class)
        .hasMessage("--out " + dir + " is a directory; give a bundle file name");
  }

  @Test
  void rejectsAnOutputInAMissingDirectory() {
    Path out = dir.resolve("nope/run.ftlog");
    assertThatThrownBy(() -> request("idle", 5, out, qemu).validate())
        .isInstanceOf(BadInputException.class)
        .hasMessage("--out " + out + ": directory " + dir.resolve("nope") + " does not exist");
  }

  @Test
  void rejectsAQemuThatIsNotExecutable() throws Exception {
    Path plain = Files.writeString(dir.resolve("plain"), "");
    assertThatThrownBy(() -> request("idle", 5, dir.resolve("r"), plain).validate())
        .isInstanceOf(BadInputException.class)
        .hasMessage("--qemu " + plain + " is not an executable file");
  }

  @Test
  void rejectsAQemuNameNotOnPath() {
    Path name = Path.of("qemu-system-does-not-exist");
    assertThatThrownBy(() -> request("idle", 5, dir.resolve("r"), name).validate())
        .isInstanceOf(BadInputException.class)
        .hasMessageStartingWith("--qemu qemu-system-does-not-exist is not on PATH");
  }
}
