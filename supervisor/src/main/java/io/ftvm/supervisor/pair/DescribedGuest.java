package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.hypervisor.GuestDevices;
import io.ftvm.supervisor.vm.GuestDevicesMapping;
import io.ftvm.supervisor.vm.SparseImageCopy;
import io.ftvm.supervisor.vm.VmBoot;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDisk;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest from the admin's VM description (checked by {@link
 * io.ftvm.supervisor.vm.VmDescriptions}): its boot, disks, MAC, NIC model, memory, ready line and
 * IP as written. Each node's disks are sparse copies named {@code disk-<i>.<img|qcow2>}.
 */
public record DescribedGuest(VmDescription description) implements PairGuest {

  @Override
  public PairConfig.GuestSpec spec(String guestCidr, String reservedMac) {
    GuestDevices devices = new GuestDevicesMapping().devices(description);
    List<GuestHardware.Disk> disks = new ArrayList<>();
    for (int i = 0; i < devices.drives().size(); i++) {
      GuestDevices.Drive drive = devices.drives().get(i);
      disks.add(new GuestHardware.Disk(replicaName(i), drive.format(), drive.bus()));
    }
    Path kernel = null;
    Path initrd = null;
    String append = "";
    if (description.boot() instanceof VmBoot.DirectKernel direct) {
      kernel = direct.kernel().toAbsolutePath();
      initrd = direct.initrd() == null ? null : direct.initrd().toAbsolutePath();
      append = direct.cmdline();
    }
    return new PairConfig.GuestSpec(
        kernel,
        initrd,
        append,
        description.memoryMib(),
        devices.nic().mac(),
        description.guestCidr().orElse(null),
        description.readyLinePrefix().orElse(null),
        new GuestHardware(disks, devices.nic().model()),
        description.source(),
        description.readinessProbe().orElse(null));
  }

  @Override
  public List<Path> copyDisksInto(Path nodeDirectory) throws IOException {
    List<Path> copies = new ArrayList<>();
    SparseImageCopy copier = new SparseImageCopy();
    for (int i = 0; i < description.disks().size(); i++) {
      Path copy = nodeDirectory.resolve(replicaName(i));
      copier.copy(description.disks().get(i).file(), copy);
      copies.add(copy);
    }
    return copies;
  }

  private String replicaName(int index) {
    String format = description.disks().get(index).format();
    return "disk-" + index + (VmDisk.QCOW2.equals(format) ? ".qcow2" : ".img");
  }

  @Override
  public String describe() {
    return "VM " + description.name() + " (" + description.source() + ")";
  }
}
