package io.ftvm.supervisor.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.supervisor.hypervisor.GuestDevices.Bus;
import io.ftvm.supervisor.hypervisor.GuestDevices.Drive;
import io.ftvm.supervisor.hypervisor.GuestDevices.Format;
import io.ftvm.supervisor.hypervisor.GuestDevices.Nic;
import io.ftvm.supervisor.hypervisor.GuestDevices.NicModel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestDeviceArgumentsTest {
  private final QemuCommandLine commandLine = new QemuCommandLine();

  private static VmLaunchSpec.Builder spec(GuestDevices devices) {
    return VmLaunchSpec.builder()
        .name("db")
        .qemuBinary(Path.of("/q"))
        .memoryMib(1024)
        .devices(devices)
        .runDirectory(Path.of("/run/a"));
  }

  private static final GuestDevices FIRMWARE_TWO_DISKS =
      new GuestDevices(
          null,
          null,
          null,
          List.of(
              new Drive(Path.of("/vm/root.qcow2"), Format.QCOW2, Bus.VIRTIO),
              new Drive(Path.of("/vm/data,1.img"), Format.RAW, Bus.VIRTIO)),
          new Nic("52:54:00:01:02:03", NicModel.VIRTIO_NET));

  /** The devices part of the command: after "-vga none", before "-chardev". */
  private static String devicesOf(List<String> args) {
    String all = String.join(" ", args);
    return all.substring(all.indexOf("-vga none") + 10, all.indexOf(" -chardev"));
  }

  @Test
  void firmwareBootUnderRecordWrapsEveryDiskInBlkreplay() {
    List<String> args =
        commandLine.render(
            spec(FIRMWARE_TWO_DISKS).replay(ReplaySpec.record(Path.of("/l"))).build());

    assertThat(devicesOf(args))
        .isEqualTo(
            "-drive file=/vm/root.qcow2,format=qcow2,if=none,id=d0"
                + " -drive driver=blkreplay,if=none,image=d0,id=d0r"
                + " -device virtio-blk-pci,drive=d0r,bootindex=1"
                + " -drive file=/vm/data,,1.img,format=raw,if=none,id=d1"
                + " -drive driver=blkreplay,if=none,image=d1,id=d1r"
                + " -device virtio-blk-pci,drive=d1r"
                + " -netdev stream,id=n0,server=off,addr.type=unix,addr.path=/run/a/net.sock"
                + " -device virtio-net-pci,netdev=n0,mac=52:54:00:01:02:03,romfile="
                + " -object filter-replay,id=fr0,netdev=n0");
    assertThat(args).doesNotContain("-kernel").contains("-m", "1024");
    assertThat(args.get(args.size() - 1)).isEqualTo("shift=auto,rr=record,rrfile=/l");
  }

  @Test
  void withoutRecordNoBlkreplayNorFilter() {
    String devices = devicesOf(commandLine.render(spec(FIRMWARE_TWO_DISKS).build()));
    assertThat(devices)
        .contains("-device virtio-blk-pci,drive=d0,bootindex=1")
        .doesNotContain("blkreplay")
        .doesNotContain("filter-replay");
  }

  @Test
  void ideDisksFillBothChannelsAndE1000() {
    GuestDevices devices =
        new GuestDevices(
            null,
            null,
            null,
            List.of(
                new Drive(Path.of("/a"), Format.RAW, Bus.IDE),
                new Drive(Path.of("/b"), Format.RAW, Bus.VIRTIO),
                new Drive(Path.of("/c"), Format.RAW, Bus.IDE),
                new Drive(Path.of("/d"), Format.RAW, Bus.IDE)),
            new Nic("52:54:00:01:02:03", NicModel.E1000));
    String text =
        devicesOf(
            commandLine.render(
                spec(devices).replay(ReplaySpec.replay(Path.of("/l"), false, false)).build()));
    assertThat(text)
        .contains("-device ide-hd,drive=d0r,bus=ide.0,unit=0,bootindex=1")
        .contains("-device virtio-blk-pci,drive=d1r -")
        .contains("-device ide-hd,drive=d2r,bus=ide.0,unit=1 ")
        .contains("-device ide-hd,drive=d3r,bus=ide.1,unit=0 ")
        .contains("-device e1000,netdev=n0,mac=52:54:00:01:02:03,romfile=");
  }

  @Test
  void directKernelBootWithoutBootindex() {
    GuestDevices devices =
        new GuestDevices(
            Path.of("/k"),
            Path.of("/i"),
            "console=ttyS0 root=/dev/vda1",
            List.of(new Drive(Path.of("/a"), Format.RAW, Bus.VIRTIO)),
            new Nic("52:54:00:01:02:03", NicModel.VIRTIO_NET));
    String text = devicesOf(commandLine.render(spec(devices).build()));
    assertThat(text)
        .startsWith("-kernel /k -initrd /i -append console=ttyS0 root=/dev/vda1 -drive")
        .doesNotContain("bootindex");
  }

  @Test
  void firmwareBootNeedsADrive() {
    assertThatThrownBy(
            () ->
                new GuestDevices(
                    null, null, null, List.of(), new Nic("52:54:00:01:02:03", NicModel.E1000)))
        .hasMessageContaining("firmware boot needs a drive");
  }

  @Test
  void specTakesTheMacOfTheNic() {
    assertThat(spec(FIRMWARE_TWO_DISKS).build().mac()).isEqualTo("52:54:00:01:02:03");
  }
}
