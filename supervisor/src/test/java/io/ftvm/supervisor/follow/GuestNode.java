package io.ftvm.supervisor.follow;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftvm.supervisor.hypervisor.ConsoleSpec;
import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.hypervisor.VmLaunchException;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.pair.NetdevConnection;
import io.ftvm.supervisor.pair.TestEnvironment;
import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QEMU running the test VM from its own copy of the pristine disk, with a file console that is
 * followed line by line and a NIC socket that is either bridged to a {@link GuestLan} or drained.
 */
final class GuestNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GuestNode.class);
  private static final Duration STARTUP = Duration.ofSeconds(60);

  private final String name;
  private final Path directory;
  private final NetdevConnection netdev;
  private final GuestLan lan;
  private VmInstance vm;
  private ConsoleLines console;
  private int memoryMib = 256;

  private GuestNode(String name, Path directory, NetdevConnection netdev, GuestLan lan) {
    this.name = name;
    this.directory = directory;
    this.netdev = netdev;
    this.lan = lan;
  }

  /**
   * Copies the pristine disk and binds the NIC socket.
   *
   * @param lan the LAN this guest's NIC joins, or null to drop its frames
   */
  static GuestNode prepare(Path work, String name, GuestLan lan) throws IOException {
    Path directory = Files.createDirectories(work.resolve(name));
    // Each replica starts from a byte-identical copy; both write to their own.
    Files.copy(TestEnvironment.testVm().resolve("disk.img"), directory.resolve("disk.img"));
    NetdevConnection netdev = NetdevConnection.bind(directory.resolve("net.sock"));
    return new GuestNode(name, directory, netdev, lan);
  }

  /**
   * Like {@link #prepare} with an empty (sparse) disk of the pristine disk's size, for a clone
   * target that receives its disk from a running VM.
   */
  static GuestNode prepareEmpty(Path work, String name, GuestLan lan) throws IOException {
    Path directory = Files.createDirectories(work.resolve(name));
    long size = Files.size(TestEnvironment.testVm().resolve("disk.img"));
    try (RandomAccessFile disk =
        new RandomAccessFile(directory.resolve("disk.img").toFile(), "rw")) {
      disk.setLength(size);
    }
    NetdevConnection netdev = NetdevConnection.bind(directory.resolve("net.sock"));
    return new GuestNode(name, directory, netdev, lan);
  }

  /** Guest memory of the next {@link #launch} (default 256 MiB, the test VM's verified size). */
  GuestNode memoryMib(int value) {
    memoryMib = value;
    return this;
  }

  /**
   * Starts QEMU; returns once its monitor answers (a replaying QEMU needs the log header first).
   */
  void launch(QemuDriver driver, ReplaySpec replay, String workload, boolean inbound)
      throws IOException, VmLaunchException {
    Path testVm = TestEnvironment.testVm();
    String cmdline =
        new ObjectMapper().readTree(testVm.resolve("vm.json").toFile()).path("cmdline").asText();
    VmLaunchSpec spec =
        VmLaunchSpec.builder()
            .name(name)
            .qemuBinary(TestEnvironment.qemu())
            .kernel(testVm.resolve("vmlinuz"))
            .initrd(testVm.resolve("initrd.img"))
            .disk(directory.resolve("disk.img"))
            .kernelAppend(
                cmdline + " ftvm.workload=" + workload + " ftvm.ip=" + GuestLan.GUEST_IP + "/24")
            .replay(replay)
            .memoryMib(memoryMib)
            .netdevSocket(netdev.path())
            .console(ConsoleSpec.file(directory.resolve("console.log")))
            .qmpSocket(directory.resolve("qmp.sock"))
            .qemuLog(directory.resolve("qemu.log"))
            .startupTimeout(STARTUP)
            .build();
    console = ConsoleLines.follow(spec.console().path());
    vm = driver.launch(spec);
    netdev.awaitConnected(STARTUP);
    if (lan != null) {
      lan.connect(netdev, inbound);
    } else {
      drainNic();
    }
  }

  VmInstance vm() {
    return vm;
  }

  ConsoleLines console() {
    return console;
  }

  GuestLan lan() {
    return lan;
  }

  Path directory() {
    return directory;
  }

  /** QEMU's stdout and stderr so far (the patched QEMU reports go-live and stream errors here). */
  String qemuLog() throws IOException {
    Path file = directory.resolve("qemu.log");
    return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
  }

  private void drainNic() {
    Thread drain =
        new Thread(
            () -> {
              try {
                while (true) {
                  netdev.readFrame();
                }
              } catch (EOFException e) {
                log.debug("{}: NIC closed", name);
              } catch (IOException e) {
                log.debug("{}: NIC drain stopped: {}", name, e.getMessage());
              }
            },
            name + "-nic-drain");
    drain.setDaemon(true);
    drain.start();
  }

  /** SIGKILLs this node's QEMU (if started) and waits for it; {@link #close} does the rest. */
  void killQemu() throws InterruptedException {
    if (vm != null) {
      vm.kill();
      vm.awaitExit(Duration.ofSeconds(10));
    }
  }

  @Override
  public void close() throws Exception {
    try {
      if (vm != null) {
        vm.kill(); // SIGKILL to this QEMU's pid: a blocked replay would not answer QMP quit
        vm.awaitExit(Duration.ofSeconds(10));
        vm.close();
      }
    } finally {
      if (console != null) {
        console.close();
      }
      netdev.close();
      if (lan != null) {
        lan.close();
      }
      Files.deleteIfExists(directory.resolve("disk.img"));
    }
  }
}
