package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.hypervisor.GuestDevices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The devices of a guest the admin described ({@code ftvm start --vm DESCRIPTION}), as both nodes
 * run it: its disks in order and its NIC model. Firmware boot is a {@link PairConfig.GuestSpec}
 * without a kernel. The test guest has none of this (its shape is QemuCommandLine's fixed one).
 *
 * <p>Where each node's copies lie: the first disk is the node's {@link PairConfig.NodeSpec#disk}
 * (named by the admin on real hosts), every further disk lies beside it under its {@code
 * replicaName}, so a node's config names one path however many disks the VM has.
 *
 * @param disks in the guest's order; the first is the boot disk under firmware boot
 * @param nicModel the model of the guest's one NIC
 */
public record GuestHardware(List<Disk> disks, GuestDevices.NicModel nicModel) {

  /**
   * @param replicaName file name of this disk's copy in a node's disk directory
   */
  public record Disk(String replicaName, GuestDevices.Format format, GuestDevices.Bus bus) {
    public Disk {
      Objects.requireNonNull(replicaName, "replicaName");
      Objects.requireNonNull(format, "format");
      Objects.requireNonNull(bus, "bus");
      if (replicaName.isEmpty() || replicaName.contains("/")) {
        throw new IllegalArgumentException(
            "a replica disk name is a plain file name: " + replicaName);
      }
    }
  }

  public GuestHardware {
    disks = List.copyOf(disks);
    if (disks.isEmpty()) {
      throw new IllegalArgumentException("a described guest needs at least one disk");
    }
    Objects.requireNonNull(nicModel, "nicModel");
  }

  /** This node's copy of every disk, in the guest's order; the first is {@code firstDisk}. */
  public List<Path> replicaImages(Path firstDisk) {
    List<Path> images = new ArrayList<>();
    images.add(firstDisk);
    for (Disk disk : disks.subList(1, disks.size())) {
      images.add(firstDisk.resolveSibling(disk.replicaName()));
    }
    return images;
  }

  /**
   * Whether a running replica of {@code guest} can be cloned to a joining node: the clone mirrors
   * one raw disk (QmpCloneSource), so a guest with more disks or a qcow2 disk cannot be
   * re-protected or joined yet; it is protected only by a pair started together.
   */
  public static boolean clonable(PairConfig.GuestSpec guest) {
    GuestHardware hardware = guest.hardware();
    return hardware == null
        || (hardware.disks().size() == 1
            && hardware.disks().get(0).format() == GuestDevices.Format.RAW);
  }

  /** A node's disk copies of {@code guest}, whose first is {@code firstDisk}. */
  public static List<Path> replicaImages(PairConfig.GuestSpec guest, Path firstDisk) {
    return guest.hardware() == null
        ? List.of(firstDisk)
        : guest.hardware().replicaImages(firstDisk);
  }

  /** The QEMU devices of {@code guest} on this node's copies. */
  public GuestDevices devices(PairConfig.GuestSpec guest, Path firstDisk) {
    List<Path> images = replicaImages(firstDisk);
    List<GuestDevices.Drive> drives = new ArrayList<>();
    for (int i = 0; i < disks.size(); i++) {
      drives.add(new GuestDevices.Drive(images.get(i), disks.get(i).format(), disks.get(i).bus()));
    }
    return new GuestDevices(
        guest.kernel(),
        guest.initrd(),
        guest.kernelAppend(),
        drives,
        new GuestDevices.Nic(guest.mac(), nicModel));
  }
}
