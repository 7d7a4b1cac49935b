package io.ftvm.supervisor.hypervisor;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link VmLaunchSpec} into QEMU's argument vector.
 *
 * <p>The machine shape is fixed: it is the one the test VM is verified with, and record and replay
 * must use identical shapes or the replay diverges. Under record/replay, the disk goes through
 * {@code blkreplay} and the NIC through {@code filter-replay} so their completions and frames are
 * logged; without them, replay would read a different world.
 */
public final class QemuCommandLine {
  static final String DISK_ID = "d0";
  static final String REPLAY_DISK_ID = "d0r";
  static final String NETDEV_ID = "n0";
  static final String CONSOLE_ID = "con0";

  private static final List<String> FIRMWARE_DIRECTORIES =
      List.of("/usr/share/seabios", "/usr/share/qemu", "/usr/lib/ipxe/qemu");

  /** The full command, binary first. */
  public List<String> render(VmLaunchSpec spec) {
    List<String> args = new ArrayList<>();
    args.add(spec.qemuBinary().toString());
    // Debian's firmware (seabios, ipxe, qemu-system-data), also for a QEMU run from its build tree.
    for (String firmware : FIRMWARE_DIRECTORIES) {
      args.add("-L");
      args.add(firmware);
    }
    machine(spec, args);
    if (spec.devices() != null) {
      new GuestDeviceArguments(spec.devices(), spec.replay().isActive(), spec.netdevSocket())
          .appendTo(args);
    } else {
      boot(spec, args);
      disk(spec, args);
      network(spec, args);
    }
    console(spec, args);
    args.add("-qmp");
    args.add("unix:" + option(spec.qmpSocket().toString()) + ",server=on,wait=off");
    replay(spec.replay(), args);
    args.addAll(spec.extraArgs());
    return args;
  }

  private static void machine(VmLaunchSpec spec, List<String> args) {
    args.addAll(
        List.of(
            "-machine",
            "pc",
            "-cpu",
            "qemu64",
            "-m",
            Integer.toString(spec.memoryMib()),
            "-nodefaults",
            "-no-user-config",
            "-display",
            "none",
            "-vga",
            "none"));
  }

  private static void boot(VmLaunchSpec spec, List<String> args) {
    args.addAll(
        List.of(
            "-kernel", spec.kernel().toString(),
            "-initrd", spec.initrd().toString(),
            "-append", spec.kernelAppend()));
  }

  private static void disk(VmLaunchSpec spec, List<String> args) {
    args.add("-drive");
    args.add("file=" + option(spec.disk().toString()) + ",format=raw,if=none,id=" + DISK_ID);
    String blockDevice = DISK_ID;
    if (spec.replay().isActive()) {
      args.add("-drive");
      args.add("driver=blkreplay,if=none,image=" + DISK_ID + ",id=" + REPLAY_DISK_ID);
      blockDevice = REPLAY_DISK_ID;
    }
    args.add("-device");
    args.add("virtio-blk-pci,drive=" + blockDevice);
  }

  private static void network(VmLaunchSpec spec, List<String> args) {
    // server=off: the supervisor owns the socket; QEMU is the client (qapi/net.json, stream).
    args.add("-netdev");
    args.add(
        "stream,id="
            + NETDEV_ID
            + ",server=off,addr.type=unix,addr.path="
            + option(spec.netdevSocket().toString()));
    args.add("-device");
    args.add("virtio-net-pci,netdev=" + NETDEV_ID + ",mac=" + spec.mac());
    if (spec.replay().isActive()) {
      args.add("-object");
      args.add("filter-replay,id=fr0,netdev=" + NETDEV_ID);
    }
  }

  private static void console(VmLaunchSpec spec, List<String> args) {
    ConsoleSpec console = spec.console();
    String path = option(console.path().toString());
    args.add("-chardev");
    args.add(
        switch (console.kind()) {
          case SOCKET -> "socket,id=" + CONSOLE_ID + ",path=" + path + ",server=off";
          case FILE -> "file,id=" + CONSOLE_ID + ",path=" + path;
        });
    args.add("-serial");
    args.add("chardev:" + CONSOLE_ID);
  }

  private static void replay(ReplaySpec replay, List<String> args) {
    if (!replay.isActive()) {
      return;
    }
    if (!replay.mode().hasLogAtStart()) {
      // qemu-patches 0009: built for record/replay, started later by QMP (x-ftvm-*-start).
      args.add("-icount");
      args.add("shift=auto,rrlater=on");
      if (replay.mode() == ReplayMode.CLONE_TARGET) {
        // -S: the cloned VM must not run before it follows the new log.
        args.addAll(List.of("-incoming", "defer", "-S"));
      }
      return;
    }
    String rr = replay.mode() == ReplayMode.RECORD ? "record" : "replay";
    args.add("-icount");
    // Following needs no option: the patched QEMU follows any rrfile that is a FIFO.
    // rrgolive=on (qemu-patches/0002) continues live where the stream ends.
    args.add(
        "shift=auto,rr="
            + rr
            + ",rrfile="
            + option(replay.rrfile().toString())
            + (replay.goLive() ? ",rrgolive=on" : ""));
  }

  /** QEMU's option parser splits at commas; a literal comma is written as two. */
  static String option(String value) {
    return value.replace(",", ",,");
  }
}
