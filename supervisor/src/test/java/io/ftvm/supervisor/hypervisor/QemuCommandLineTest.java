package io.ftvm.supervisor.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class QemuCommandLineTest {
  private final QemuCommandLine commandLine = new QemuCommandLine();

  private static VmLaunchSpec.Builder spec() {
    return VmLaunchSpec.builder()
        .name("test-vm")
        .qemuBinary(Path.of("/opt/qemu/qemu-system-x86_64"))
        .kernel(Path.of("/vm/vmlinuz"))
        .initrd(Path.of("/vm/initrd.img"))
        .disk(Path.of("/vm/disk.img"))
        .kernelAppend("console=ttyS0 ftvm.workload=idle")
        .mac("52:54:00:aa:bb:cc")
        .runDirectory(Path.of("/run/ftvm/a"));
  }

  @Test
  void rendersTheVerifiedShapeForRecord() {
    List<String> args =
        commandLine.render(spec().replay(ReplaySpec.record(Path.of("/run/ftvm/a/log.rr"))).build());

    assertThat(String.join(" ", args))
        .isEqualTo(
            "/opt/qemu/qemu-system-x86_64"
                + " -L /usr/share/seabios -L /usr/share/qemu -L /usr/lib/ipxe/qemu"
                + " -machine pc -cpu qemu64 -m 256 -nodefaults"
                + " -no-user-config -display none -vga none"
                + " -kernel /vm/vmlinuz -initrd /vm/initrd.img"
                + " -append console=ttyS0 ftvm.workload=idle"
                + " -drive file=/vm/disk.img,format=raw,if=none,id=d0"
                + " -drive driver=blkreplay,if=none,image=d0,id=d0r"
                + " -device virtio-blk-pci,drive=d0r"
                + " -netdev stream,id=n0,server=off,addr.type=unix,addr.path=/run/ftvm/a/net.sock"
                + " -device virtio-net-pci,netdev=n0,mac=52:54:00:aa:bb:cc"
                + " -object filter-replay,id=fr0,netdev=n0"
                + " -chardev socket,id=con0,path=/run/ftvm/a/console.sock,server=off"
                + " -serial chardev:con0"
                + " -qmp unix:/run/ftvm/a/qmp.sock,server=on,wait=off"
                + " -icount shift=auto,rr=record,rrfile=/run/ftvm/a/log.rr");
    assertThat(args).contains("console=ttyS0 ftvm.workload=idle"); // one argument, not split
  }

  @Test
  void rendersReplayWithTheSameDevicesAsRecord() {
    List<String> record =
        commandLine.render(spec().replay(ReplaySpec.record(Path.of("/l.rr"))).build());
    List<String> replay =
        commandLine.render(
            spec().replay(ReplaySpec.replay(Path.of("/l.rr"), false, false)).build());

    assertThat(replay.get(replay.size() - 1)).isEqualTo("shift=auto,rr=replay,rrfile=/l.rr");
    assertThat(replay.subList(0, replay.size() - 1))
        .isEqualTo(record.subList(0, record.size() - 1));
  }

  @Test
  void rendersAProtectableVmWithTheRecordDevicesAndNoLog() {
    List<String> record =
        commandLine.render(spec().replay(ReplaySpec.record(Path.of("/l.rr"))).build());
    List<String> protectable = commandLine.render(spec().replay(ReplaySpec.protectable()).build());

    assertThat(protectable.get(protectable.size() - 1)).isEqualTo("shift=auto,rrlater=on");
    assertThat(protectable.subList(0, protectable.size() - 1))
        .isEqualTo(record.subList(0, record.size() - 1));
  }

  @Test
  void rendersACloneTargetAsAnIncomingStoppedProtectableVm() {
    List<String> protectable = commandLine.render(spec().replay(ReplaySpec.protectable()).build());
    List<String> target = commandLine.render(spec().replay(ReplaySpec.cloneTarget()).build());

    assertThat(target.subList(0, protectable.size())).isEqualTo(protectable);
    assertThat(target.subList(protectable.size(), target.size()))
        .containsExactly("-incoming", "defer", "-S");
  }

  @Test
  void omitsEveryReplayDeviceWithoutReplay() {
    List<String> args = commandLine.render(spec().build());

    assertThat(args)
        .doesNotContain("-icount", "-object", "driver=blkreplay,if=none,image=d0,id=d0r")
        .contains("virtio-blk-pci,drive=d0");
    assertThat(String.join(" ", args)).doesNotContain("replay");
  }

  @Test
  void appendsExtraArgumentsLast() {
    VmLaunchSpec base = spec().replay(ReplaySpec.record(Path.of("/l.rr"))).extraArgs("-S").build();

    List<String> args = commandLine.render(base.withExtraArgs(List.of("-trace", "replay_*")));

    assertThat(args.subList(args.size() - 3, args.size()))
        .containsExactly("-S", "-trace", "replay_*");
  }

  @Test
  void doublesCommasInPathsSoQemuDoesNotSplitThem() {
    List<String> args =
        commandLine.render(
            spec()
                .disk(Path.of("/vm/a,b.img"))
                .replay(ReplaySpec.record(Path.of("/logs/x,y.rr")))
                .build());

    assertThat(args)
        .contains("file=/vm/a,,b.img,format=raw,if=none,id=d0")
        .contains("shift=auto,rr=record,rrfile=/logs/x,,y.rr");
  }

  @Test
  void rendersAFileConsole() {
    List<String> args =
        commandLine.render(spec().console(ConsoleSpec.file(Path.of("/tmp/console.log"))).build());

    assertThat(args).containsSequence("-chardev", "file,id=con0,path=/tmp/console.log");
  }

  @Test
  void rendersGoLiveAsThePatchedIcountOption() {
    VmLaunchSpec following = spec().replay(ReplaySpec.replay(Path.of("/l.rr"), true, true)).build();

    assertThat(commandLine.render(following))
        .containsSequence("-icount", "shift=auto,rr=replay,rrfile=/l.rr,rrgolive=on");
  }

  @Test
  void followingAloneNeedsNoExtraOption() {
    VmLaunchSpec following =
        spec().replay(ReplaySpec.replay(Path.of("/l.rr"), true, false)).build();

    assertThat(commandLine.render(following))
        .containsSequence("-icount", "shift=auto,rr=replay,rrfile=/l.rr");
  }
}
