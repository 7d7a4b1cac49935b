package io.ftvm.supervisor.vm;

import io.ftvm.supervisor.hypervisor.GuestDevices;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A checked description as QEMU devices (see {@link VmDescriptionValidator} for what passes). */
public final class GuestDevicesMapping {

  /** The description's devices on its own (pristine) images. */
  public GuestDevices devices(VmDescription vm) {
    return devices(vm, vm.disks().stream().map(VmDisk::file).toList());
  }

  /**
   * The description's devices on the images a run writes (same order as {@code vm.disks()}).
   *
   * @throws IllegalArgumentException if the description has something the validator refuses
   */
  public GuestDevices devices(VmDescription vm, List<Path> workingImages) {
    if (workingImages.size() != vm.disks().size()) {
      throw new IllegalArgumentException(
          workingImages.size() + " images for " + vm.disks().size() + " disks");
    }
    List<GuestDevices.Drive> drives = new ArrayList<>();
    for (int i = 0; i < vm.disks().size(); i++) {
      VmDisk disk = vm.disks().get(i);
      drives.add(
          new GuestDevices.Drive(
              workingImages.get(i), enumOf(GuestDevices.Format.class, disk.format()), bus(disk)));
    }
    if (vm.nics().size() != 1) {
      throw new IllegalArgumentException("exactly one NIC is supported, not " + vm.nics().size());
    }
    VmNic nic = vm.nics().get(0);
    GuestDevices.Nic card =
        new GuestDevices.Nic(nic.mac(), enumOf(GuestDevices.NicModel.class, nic.model()));
    if (vm.boot() instanceof VmBoot.DirectKernel kernel) {
      return new GuestDevices(kernel.kernel(), kernel.initrd(), kernel.cmdline(), drives, card);
    }
    return new GuestDevices(null, null, "", drives, card);
  }

  private static GuestDevices.Bus bus(VmDisk disk) {
    return enumOf(GuestDevices.Bus.class, disk.bus());
  }

  /** "virtio-net" → VIRTIO_NET, "qcow2" → QCOW2. */
  private static <E extends Enum<E>> E enumOf(Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.replace('-', '_').toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unsupported " + type.getSimpleName() + " \"" + value + "\"", e);
    }
  }
}
