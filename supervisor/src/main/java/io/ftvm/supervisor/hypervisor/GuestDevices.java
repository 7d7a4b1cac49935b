package io.ftvm.supervisor.hypervisor;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A guest's boot, disks and NIC as QEMU devices, for VMs described by the admin (firmware boot,
 * qcow2, several disks, NIC models). When a {@link VmLaunchSpec} carries one, it replaces the
 * spec's single-disk direct-kernel fields ({@code kernel}, {@code initrd}, {@code disk}, {@code
 * kernelAppend}, {@code mac}) in the command line.
 *
 * @param kernel the kernel QEMU loads itself, or null to boot the first drive through SeaBIOS
 * @param initrd with {@code kernel}: its initrd, or null
 * @param kernelAppend with {@code kernel}: its command line
 * @param drives the disks in order (the first one is the boot disk under firmware boot); each is
 *     the image this run may write
 * @param nic the VM's one NIC; its backend is the spec's {@code netdevSocket}
 */
public record GuestDevices(
    Path kernel, Path initrd, String kernelAppend, List<Drive> drives, Nic nic) {

  /** Disk formats QEMU opens under blkreplay here. */
  public enum Format {
    RAW("raw"),
    QCOW2("qcow2");

    private final String qemuName;

    Format(String qemuName) {
      this.qemuName = qemuName;
    }

    public String qemuName() {
      return qemuName;
    }
  }

  /** Disk buses whose record/replay was verified (FirmwareBootRecordReplayIT). */
  public enum Bus {
    VIRTIO,
    IDE
  }

  /** NIC models whose record/replay was verified. */
  public enum NicModel {
    VIRTIO_NET("virtio-net-pci"),
    E1000("e1000");

    private final String qemuDevice;

    NicModel(String qemuDevice) {
      this.qemuDevice = qemuDevice;
    }

    public String qemuDevice() {
      return qemuDevice;
    }
  }

  public record Drive(Path file, Format format, Bus bus) {
    public Drive {
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(bus, "bus");
      if (file.toString().indexOf('\0') >= 0) {
        throw new IllegalArgumentException("NUL byte in a QEMU argument: " + file);
      }
    }
  }

  public record Nic(String mac, NicModel model) {
    public Nic {
      Objects.requireNonNull(mac, "mac");
      Objects.requireNonNull(model, "model");
    }
  }

  public GuestDevices {
    drives = List.copyOf(drives);
    Objects.requireNonNull(nic, "nic");
    kernelAppend = kernelAppend == null ? "" : kernelAppend;
    if (kernel == null && drives.isEmpty()) {
      throw new IllegalArgumentException("firmware boot needs a drive to boot from");
    }
    if (kernel == null && initrd != null) {
      throw new IllegalArgumentException("an initrd needs a kernel (firmware boot has neither)");
    }
    if (kernelAppend.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("NUL byte in a QEMU argument: " + kernelAppend);
    }
  }

  public boolean firmwareBoot() {
    return kernel == null;
  }

  /** The same devices on other images, e.g. a run's working copies (same order, same count). */
  public GuestDevices withDriveFiles(List<Path> files) {
    if (files.size() != drives.size()) {
      throw new IllegalArgumentException(files.size() + " files for " + drives.size() + " drives");
    }
    List<Drive> moved = new java.util.ArrayList<>();
    for (int i = 0; i < drives.size(); i++) {
      moved.add(new Drive(files.get(i), drives.get(i).format(), drives.get(i).bus()));
    }
    return new GuestDevices(kernel, initrd, kernelAppend, moved, nic);
  }
}
