package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.hypervisor.ConsoleSpec;
import io.ftvm.supervisor.hypervisor.GuestDevices;
import io.ftvm.supervisor.hypervisor.QemuCommandLine;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.vm.GuestDevicesMapping;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The parts of a QEMU launch that record and replay must share exactly: guest files, kernel command
 * line, memory and MAC. A bundle stores them as the recorded QEMU arguments ({@link
 * #manifestArgs}); replay reads them back with {@link #fromManifestArgs}.
 *
 * @param disk the pristine disk image the run starts from (each run works on a copy)
 * @param devices a described VM's devices on its pristine images, or null for the test VM's shape
 */
public record GuestLaunch(
    Path kernel,
    Path initrd,
    Path disk,
    String cmdline,
    int memoryMib,
    String mac,
    GuestDevices devices) {

  /** A slow host boots the test VM under record in 10-20 s; QMP must answer well before that. */
  static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

  public GuestLaunch(
      Path kernel, Path initrd, Path disk, String cmdline, int memoryMib, String mac) {
    this(kernel, initrd, disk, cmdline, memoryMib, mac, null);
  }

  public GuestLaunch {
    if (devices == null) {
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(initrd, "initrd");
    }
    Objects.requireNonNull(disk, "disk");
    Objects.requireNonNull(cmdline, "cmdline");
    Objects.requireNonNull(mac, "mac");
  }

  public static GuestLaunch of(VmDefinition vm, String workload) {
    return new GuestLaunch(
        vm.kernel(),
        vm.initrd(),
        vm.disk(),
        vm.cmdlineFor(workload),
        vm.memoryMib(),
        vm.mac(),
        devicesOf(vm));
  }

  private static GuestDevices devicesOf(VmDefinition vm) {
    return vm.description() == null ? null : new GuestDevicesMapping().devices(vm.description());
  }

  /** The pristine images a run copies: the described VM's disks, or the one disk. */
  public List<Path> pristineDisks() {
    return devices == null
        ? List.of(disk)
        : devices.drives().stream().map(GuestDevices.Drive::file).toList();
  }

  /** The same launch with the guest files of another location (a VM directory moved elsewhere). */
  public GuestLaunch withFilesOf(VmDefinition vm) {
    return new GuestLaunch(
        vm.kernel(), vm.initrd(), vm.disk(), cmdline, memoryMib, mac, devicesOf(vm));
  }

  /**
   * The launch spec of one run.
   *
   * @param workingDisk the copy of {@link #disk} this run may write
   * @param runDirectory receives the QMP, NIC sockets, console file and QEMU log
   */
  public VmLaunchSpec spec(
      String name, Path qemu, Path workingDisk, Path runDirectory, ReplaySpec replay) {
    return spec(name, qemu, List.of(workingDisk), runDirectory, replay);
  }

  /** {@link #spec(String, Path, Path, Path, ReplaySpec)} with one working copy per disk. */
  public VmLaunchSpec spec(
      String name, Path qemu, List<Path> workingDisks, Path runDirectory, ReplaySpec replay) {
    Path workingDisk = workingDisks.get(0);
    return VmLaunchSpec.builder()
        .name(name)
        .qemuBinary(qemu)
        .kernel(kernel)
        .initrd(initrd)
        .disk(workingDisk)
        .kernelAppend(cmdline)
        .memoryMib(memoryMib)
        .mac(mac)
        .replay(replay)
        .qmpSocket(runDirectory.resolve("qmp.sock"))
        .console(ConsoleSpec.file(runDirectory.resolve("console.log")))
        .netdevSocket(runDirectory.resolve("net.sock"))
        .qemuLog(runDirectory.resolve("qemu.log"))
        .startupTimeout(STARTUP_TIMEOUT)
        .devices(devices == null ? null : devices.withDriveFiles(workingDisks))
        .build();
  }

  /**
   * QEMU's arguments as recorded in a manifest: the recorded command without the binary and the
   * {@code -icount} record option, and with the pristine disk in place of the run's copy, so the
   * arguments say which disk the recording started from.
   */
  public List<String> manifestArgs(VmLaunchSpec recorded) {
    VmLaunchSpec pristine =
        VmLaunchSpec.builder()
            .name(recorded.name())
            .qemuBinary(recorded.qemuBinary())
            .kernel(kernel)
            .initrd(initrd)
            .disk(disk)
            .kernelAppend(cmdline)
            .memoryMib(memoryMib)
            .mac(mac)
            .replay(recorded.replay())
            .qmpSocket(recorded.qmpSocket())
            .console(recorded.console())
            .netdevSocket(recorded.netdevSocket())
            .qemuLog(recorded.qemuLog())
            .devices(devices)
            .build();
    List<String> args = new ArrayList<>(new QemuCommandLine().render(pristine));
    args.remove(0);
    int icount = args.indexOf("-icount");
    if (icount >= 0) {
      args.subList(icount, Math.min(icount + 2, args.size())).clear();
    }
    return args;
  }

  /**
   * Reads a launch back from {@link #manifestArgs} and the manifest's kernel command line.
   *
   * @throws BadInputException naming the argument that is missing or malformed
   */
  public static GuestLaunch fromManifestArgs(List<String> args, String cmdline)
      throws BadInputException {
    String memory = valueOf(args, "-m");
    int memoryMib;
    try {
      memoryMib = Integer.parseInt(memory);
    } catch (NumberFormatException e) {
      throw new BadInputException("recorded QEMU argument -m " + memory + " is not a number");
    }
    if (!args.contains("-kernel")) {
      throw new BadInputException(
          "this bundle was recorded from a VM description (firmware boot); pass --vm"
              + " <description> to replay it");
    }
    return new GuestLaunch(
        Path.of(valueOf(args, "-kernel")),
        Path.of(valueOf(args, "-initrd")),
        Path.of(subOption(args, "-drive", "file")),
        cmdline == null ? "" : cmdline,
        memoryMib,
        subOption(args, "-device", "mac"));
  }

  private static String valueOf(List<String> args, String option) throws BadInputException {
    int index = args.indexOf(option);
    if (index < 0 || index + 1 >= args.size()) {
      throw new BadInputException("the recorded QEMU arguments have no " + option + " <value>");
    }
    return args.get(index + 1);
  }

  /** The first {@code key=value} in any value of {@code option}, with QEMU's ",," unescaped. */
  private static String subOption(List<String> args, String option, String key)
      throws BadInputException {
    for (int i = 0; i + 1 < args.size(); i++) {
      if (!args.get(i).equals(option)) {
        continue;
      }
      for (String part : splitOptions(args.get(i + 1))) {
        if (part.startsWith(key + "=")) {
          return part.substring(key.length() + 1);
        }
      }
    }
    throw new BadInputException(
        "the recorded QEMU arguments have no " + option + " with " + key + "=<value>");
  }

  /** Splits at single commas; ",," is a literal comma (QEMU's option syntax). */
  static List<String> splitOptions(String value) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == ',' && i + 1 < value.length() && value.charAt(i + 1) == ',') {
        current.append(',');
        i++;
      } else if (c == ',') {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }
}
