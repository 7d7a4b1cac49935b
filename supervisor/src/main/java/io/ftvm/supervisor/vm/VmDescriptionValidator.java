package io.ftvm.supervisor.vm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Says everything ftvm cannot honour in a description, all at once. The supported set is what QEMU
 * record/replay runs deterministically, verified by replaying recordings
 * (FirmwareBootRecordReplayIT): one vCPU, the {@code pc} machine, TCG with {@code qemu64}, raw or
 * qcow2 images behind {@code blkreplay} on virtio or IDE, and a virtio-net NIC. e1000 replays a
 * boot identically but no guest driver has sent traffic through it under record/replay yet, so it
 * is refused until that is verified: a NIC that replays differently would make a backup diverge
 * silently.
 */
public final class VmDescriptionValidator {
  public static final Set<String> DISK_FORMATS = Set.of(VmDisk.RAW, VmDisk.QCOW2);
  public static final Set<String> DISK_BUSES = Set.of(VmDisk.VIRTIO, VmDisk.IDE);
  public static final Set<String> NIC_MODELS = Set.of(VmNic.VIRTIO_NET);
  static final int MIN_MEMORY_MIB = 16;
  static final int MAX_MEMORY_MIB = 65536;

  /** IDE on the pc machine: two channels with master and slave each. */
  static final int MAX_IDE_DISKS = 4;

  private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
  private static final Pattern CIDR =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");
  private static final byte[] QCOW_MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

  /** The problems, in the description's order; empty when ftvm can run the VM as described. */
  public List<String> problems(VmDescription vm) {
    List<String> problems = new ArrayList<>();
    machine(vm, problems);
    boot(vm, problems);
    disks(vm, problems);
    nics(vm, problems);
    vm.readyLinePrefix()
        .filter(String::isEmpty)
        .ifPresent(
            p ->
                problems.add(
                    "console.readyLinePrefix is empty (omit it when the guest prints no ready"
                        + " line)"));
    vm.guestCidr()
        .filter(cidr -> !validCidr(cidr))
        .ifPresent(cidr -> problems.add("guestIp \"" + cidr + "\" is not an IPv4 address/prefix"));
    return problems;
  }

  private static void machine(VmDescription vm, List<String> problems) {
    if (vm.vcpus() != 1) {
      problems.add(
          "vcpus "
              + vm.vcpus()
              + ": ftvm runs exactly one vCPU (QEMU record/replay is uniprocessor)");
    }
    if (vm.memoryMib() < MIN_MEMORY_MIB || vm.memoryMib() > MAX_MEMORY_MIB) {
      problems.add(
          "memoryMiB "
              + vm.memoryMib()
              + ": must be between "
              + MIN_MEMORY_MIB
              + " and "
              + MAX_MEMORY_MIB);
    }
    if (!VmDescription.DEFAULT_MACHINE.equals(vm.machine())) {
      problems.add(
          "machine \"" + vm.machine() + "\": only \"pc\" (i440FX) is verified under record/replay");
    }
    if (!VmDescription.DEFAULT_CPU.equals(vm.cpuModel())) {
      problems.add(
          "cpu \""
              + vm.cpuModel()
              + "\": only \"qemu64\" (TCG); host CPU models and passthrough are KVM-only");
    }
    if (!VmDescription.DEFAULT_ACCELERATOR.equals(vm.accelerator())) {
      problems.add(
          "accelerator \""
              + vm.accelerator()
              + "\": record/replay needs TCG (KVM cannot record a VM deterministically)");
    }
  }

  private static void boot(VmDescription vm, List<String> problems) {
    if (vm.boot() instanceof VmBoot.DirectKernel kernel) {
      requireFile("boot.kernel", kernel.kernel(), problems);
      if (kernel.initrd() != null) {
        requireFile("boot.initrd", kernel.initrd(), problems);
      }
    } else if (vm.disks().isEmpty()) {
      problems.add("boot from disk, but the VM has no disk");
    }
  }

  private static void disks(VmDescription vm, List<String> problems) {
    Set<Path> files = new HashSet<>();
    int ide = 0;
    for (int i = 0; i < vm.disks().size(); i++) {
      VmDisk disk = vm.disks().get(i);
      String where = "disks[" + i + "] " + disk.file().getFileName();
      if (!files.add(disk.file())) {
        problems.add(where + ": the same image is attached twice");
      }
      if (!DISK_FORMATS.contains(disk.format())) {
        problems.add(where + ": format \"" + disk.format() + "\" is not supported (raw or qcow2)");
      }
      if (!DISK_BUSES.contains(disk.bus())) {
        problems.add(
            where
                + ": bus \""
                + disk.bus()
                + "\" is not supported under record/replay (virtio or ide)");
      }
      if (VmDisk.IDE.equals(disk.bus())) {
        ide++;
      }
      if (disk.readOnly()) {
        problems.add(where + ": read-only disks (CD-ROMs, shared base images) are not supported");
      }
      if (disk.shared()) {
        problems.add(
            where + ": a shared disk cannot be replicated (each replica writes its own copy)");
      }
      if (!Files.isRegularFile(disk.file())) {
        problems.add(where + ": image " + disk.file() + " does not exist or is not a file");
      } else if (DISK_FORMATS.contains(disk.format())) {
        imageFormat(where, disk, problems);
      }
    }
    if (ide > MAX_IDE_DISKS) {
      problems.add(ide + " IDE disks: the pc machine has room for " + MAX_IDE_DISKS);
    }
  }

  /** A qcow2 image described as raw would boot the guest on its metadata (and vice versa). */
  private static void imageFormat(String where, VmDisk disk, List<String> problems) {
    byte[] head = new byte[4];
    try (InputStream in = Files.newInputStream(disk.file())) {
      int n = in.readNBytes(head, 0, head.length);
      boolean qcow = n == 4 && Arrays.equals(head, QCOW_MAGIC);
      if (qcow && VmDisk.RAW.equals(disk.format())) {
        problems.add(where + ": described as raw but the image is qcow2");
      } else if (!qcow && VmDisk.QCOW2.equals(disk.format())) {
        problems.add(where + ": described as qcow2 but the image is not qcow2");
      }
    } catch (IOException e) {
      problems.add(where + ": cannot read " + disk.file() + ": " + e.getMessage());
    }
  }

  private static void nics(VmDescription vm, List<String> problems) {
    if (vm.nics().size() != 1) {
      problems.add(
          vm.nics().size()
              + " NICs: ftvm's network path carries exactly one NIC per VM (its output is held"
              + " until the backup has the log)");
    }
    Set<String> macs = new HashSet<>();
    for (int i = 0; i < vm.nics().size(); i++) {
      VmNic nic = vm.nics().get(i);
      String where = "nics[" + i + "]";
      if (VmNic.E1000.equals(nic.model())) {
        problems.add(
            where
                + ": model \"e1000\" is not verified under record/replay with guest traffic yet"
                + " (use virtio-net)");
      } else if (!NIC_MODELS.contains(nic.model())) {
        problems.add(
            where
                + ": model \""
                + nic.model()
                + "\" is not supported under record/replay (virtio-net)");
      }
      if (!MAC.matcher(nic.mac()).matches()) {
        problems.add(where + ": MAC \"" + nic.mac() + "\" is not six colon-separated hex pairs");
      } else {
        if ((Integer.parseInt(nic.mac().substring(0, 2), 16) & 1) != 0) {
          problems.add(where + ": MAC " + nic.mac() + " is a multicast address");
        }
        if (!macs.add(nic.mac().toLowerCase(java.util.Locale.ROOT))) {
          problems.add(where + ": MAC " + nic.mac() + " is used twice");
        }
      }
    }
  }

  private static void requireFile(String what, Path file, List<String> problems) {
    if (!Files.isRegularFile(file)) {
      problems.add(what + " " + file + " does not exist or is not a file");
    }
  }

  static boolean validCidr(String cidr) {
    var m = CIDR.matcher(cidr);
    if (!m.matches()) {
      return false;
    }
    for (int g = 1; g <= 4; g++) {
      if (Integer.parseInt(m.group(g)) > 255) {
        return false;
      }
    }
    return Integer.parseInt(m.group(5)) <= 32;
  }
}
