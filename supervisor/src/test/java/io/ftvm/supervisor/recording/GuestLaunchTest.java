package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestLaunchTest {
  private final GuestLaunch launch =
      new GuestLaunch(
          Path.of("/vms/a,b/vmlinuz"),
          Path.of("/vms/a,b/initrd.img"),
          Path.of("/vms/a,b/disk.img"),
          "console=ttyS0 ftvm.workload=net",
          192,
          "52:54:00:aa:bb:cc");

  @Test
  void manifestArgsNameThePristineDiskAndDropTheRecordOption() {
    Path run = Path.of("/tmp/run1");
    VmLaunchSpec spec =
        launch.spec(
            "ftvm-record",
            Path.of("/usr/bin/qemu"),
            run.resolve("disk.img"),
            run,
            ReplaySpec.record(run.resolve("replay.bin")));

    List<String> args = launch.manifestArgs(spec);

    assertThat(args).doesNotContain("-icount", "/usr/bin/qemu");
    assertThat(String.join(" ", args))
        .contains("file=/vms/a,,b/disk.img,format=raw")
        .doesNotContain("/tmp/run1/disk.img")
        .contains("filter-replay")
        .contains("blkreplay");
  }

  @Test
  void readsBackWhatTheManifestStored() throws Exception {
    Path run = Path.of("/tmp/run1");
    VmLaunchSpec spec =
        launch.spec(
            "ftvm-record",
            Path.of("/usr/bin/qemu"),
            run.resolve("disk.img"),
            run,
            ReplaySpec.record(run.resolve("replay.bin")));

    GuestLaunch back = GuestLaunch.fromManifestArgs(launch.manifestArgs(spec), launch.cmdline());

    assertThat(back).isEqualTo(launch);
  }

  @Test
  void replayAndRecordSpecsDifferOnlyInTheirReplayMode() {
    Path run = Path.of("/tmp/run1");
    VmLaunchSpec record =
        launch.spec("x", Path.of("q"), run.resolve("d"), run, ReplaySpec.record(run.resolve("r")));
    VmLaunchSpec replay =
        launch.spec(
            "x",
            Path.of("q"),
            run.resolve("d"),
            run,
            ReplaySpec.replay(run.resolve("r"), false, false));

    assertThat(replay.kernelAppend()).isEqualTo(record.kernelAppend());
    assertThat(replay.memoryMib()).isEqualTo(192);
    assertThat(replay.mac()).isEqualTo(record.mac());
  }

  @Test
  void missingMemoryArgumentIsNamed() {
    assertThatThrownBy(
            () ->
                GuestLaunch.fromManifestArgs(
                    List.of("-kernel", "/k", "-initrd", "/i", "-drive", "file=/d"), "c"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("the recorded QEMU arguments have no -m <value>");
  }

  @Test
  void malformedMemoryIsNamed() {
    assertThatThrownBy(() -> GuestLaunch.fromManifestArgs(List.of("-m", "lots"), "c"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("recorded QEMU argument -m lots is not a number");
  }

  @Test
  void missingNicMacIsNamed() {
    List<String> args =
        List.of("-m", "256", "-kernel", "/k", "-initrd", "/i", "-drive", "file=/d,format=raw");
    assertThatThrownBy(() -> GuestLaunch.fromManifestArgs(args, "c"))
        .isInstanceOf(BadInputException.class)
        .hasMessage("the recorded QEMU arguments have no -device with mac=<value>");
  }

  @Test
  void splitsQemuOptionsHonouringDoubledCommas() {
    assertThat(GuestLaunch.splitOptions("file=/a,,b,format=raw,"))
        .containsExactly("file=/a,b", "format=raw", "");
  }
}
