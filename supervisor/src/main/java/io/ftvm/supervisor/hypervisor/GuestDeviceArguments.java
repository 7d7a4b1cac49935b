package io.ftvm.supervisor.hypervisor;

import java.nio.file.Path;
import java.util.List;

/**
 * QEMU arguments for {@link GuestDevices}: boot, drives and NIC of a described VM, in the same
 * machine shape {@link QemuCommandLine} renders around them.
 *
 * <p>Under record/replay every drive is wrapped in its own {@code blkreplay} node, so each disk's
 * completions are logged (a drive without it would be read differently on replay). Firmware boot
 * passes no {@code -kernel}: SeaBIOS boots the first drive ({@code bootindex=1}). NICs get no
 * option ROM ({@code romfile=}): the guest boots from its disk, and iPXE would only lengthen the
 * BIOS run.
 */
final class GuestDeviceArguments {
  private final GuestDevices devices;
  private final boolean replayActive;
  private final Path netdevSocket;

  GuestDeviceArguments(GuestDevices devices, boolean replayActive, Path netdevSocket) {
    this.devices = devices;
    this.replayActive = replayActive;
    this.netdevSocket = netdevSocket;
  }

  void appendTo(List<String> args) {
    boot(args);
    drives(args);
    nic(args);
  }

  private void boot(List<String> args) {
    if (devices.firmwareBoot()) {
      return;
    }
    args.add("-kernel");
    args.add(devices.kernel().toString());
    if (devices.initrd() != null) {
      args.add("-initrd");
      args.add(devices.initrd().toString());
    }
    args.add("-append");
    args.add(devices.kernelAppend());
  }

  private void drives(List<String> args) {
    int ideUnits = 0;
    for (int i = 0; i < devices.drives().size(); i++) {
      GuestDevices.Drive drive = devices.drives().get(i);
      // d0/d0r for the first drive, as QemuCommandLine names the test VM's only disk.
      String id = "d" + i;
      args.add("-drive");
      args.add(
          "file="
              + QemuCommandLine.option(drive.file().toString())
              + ",format="
              + drive.format().qemuName()
              + ",if=none,id="
              + id);
      String node = id;
      if (replayActive) {
        node = id + "r";
        args.add("-drive");
        args.add("driver=blkreplay,if=none,image=" + id + ",id=" + node);
      }
      String device =
          switch (drive.bus()) {
            case VIRTIO -> "virtio-blk-pci,drive=" + node;
            case IDE -> {
              // pc has ide.0 and ide.1, two units each; fill them in description order.
              String ide =
                  "ide-hd,drive=" + node + ",bus=ide." + ideUnits / 2 + ",unit=" + ideUnits % 2;
              ideUnits++;
              yield ide;
            }
          };
      if (devices.firmwareBoot() && i == 0) {
        device += ",bootindex=1";
      }
      args.add("-device");
      args.add(device);
    }
  }

  private void nic(List<String> args) {
    args.add("-netdev");
    args.add(
        "stream,id="
            + QemuCommandLine.NETDEV_ID
            + ",server=off,addr.type=unix,addr.path="
            + QemuCommandLine.option(netdevSocket.toString()));
    args.add("-device");
    args.add(
        devices.nic().model().qemuDevice()
            + ",netdev="
            + QemuCommandLine.NETDEV_ID
            + ",mac="
            + devices.nic().mac()
            + ",romfile=");
    if (replayActive) {
      args.add("-object");
      args.add("filter-replay,id=fr0,netdev=" + QemuCommandLine.NETDEV_ID);
    }
  }
}
