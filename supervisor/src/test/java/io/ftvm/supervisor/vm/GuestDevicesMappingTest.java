package io.ftvm.supervisor.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.supervisor.hypervisor.GuestDevices;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuestDevicesMappingTest {
  private static VmDescription vm(VmBoot boot) {
    return new VmDescription(
        Path.of("/d/vm.json"),
        "db",
        512,
        1,
        "pc",
        "qemu64",
        "tcg",
        boot,
        List.of(
            new VmDisk(Path.of("/d/root.qcow2"), "qcow2", "ide", false, false),
            new VmDisk(Path.of("/d/data.img"), "raw", "virtio", false, false)),
        List.of(new VmNic("52:54:00:00:00:09", "e1000")),
        Optional.empty(),
        Optional.empty());
  }

  @Test
  void firmwareBootOnWorkingCopies() {
    GuestDevices devices =
        new GuestDevicesMapping()
            .devices(vm(new VmBoot.Firmware()), List.of(Path.of("/w/0"), Path.of("/w/1")));
    assertThat(devices.firmwareBoot()).isTrue();
    assertThat(devices.drives())
        .containsExactly(
            new GuestDevices.Drive(
                Path.of("/w/0"), GuestDevices.Format.QCOW2, GuestDevices.Bus.IDE),
            new GuestDevices.Drive(
                Path.of("/w/1"), GuestDevices.Format.RAW, GuestDevices.Bus.VIRTIO));
    assertThat(devices.nic())
        .isEqualTo(new GuestDevices.Nic("52:54:00:00:00:09", GuestDevices.NicModel.E1000));
  }

  @Test
  void directKernel() {
    GuestDevices devices =
        new GuestDevicesMapping()
            .devices(vm(new VmBoot.DirectKernel(Path.of("/k"), null, "console=ttyS0")));
    assertThat(devices.kernel()).isEqualTo(Path.of("/k"));
    assertThat(devices.initrd()).isNull();
    assertThat(devices.kernelAppend()).isEqualTo("console=ttyS0");
    assertThat(devices.drives().get(0).file()).isEqualTo(Path.of("/d/root.qcow2"));
  }
}
