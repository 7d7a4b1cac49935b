package io.ftvm.supervisor.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.nativeos.LinuxProcess;
import io.ftvm.supervisor.qmp.QmpEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the real test VM (test-vms/) under the patched QEMU (-Dftvm.qemu / -Dftvm.testvm, which
 * .ci/run passes; missing ones fail the test).
 */
class QemuDriverIT {
  private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);

  @TempDir Path dir;
  private Path qemu;
  private Path testVm;
  private ChildProcessLauncher launcher;
  private ServerSocketChannel nicListener;
  private VmInstance vm;

  @BeforeEach
  void locateQemuAndTestVm() throws IOException {
    qemu = io.ftvm.supervisor.pair.TestEnvironment.qemu();
    testVm = io.ftvm.supervisor.pair.TestEnvironment.testVm();
    launcher = new ChildProcessLauncher();
    nicListener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    nicListener.bind(UnixDomainSocketAddress.of(dir.resolve("net.sock")));
    Thread sink = new Thread(this::drainNic, "nic-sink");
    sink.setDaemon(true);
    sink.start();
  }

  /** Stands in for the supervisor's network gate: accepts QEMU's NIC and discards frames. */
  private void drainNic() {
    try (SocketChannel nic = nicListener.accept()) {
      ByteBuffer buffer = ByteBuffer.allocate(65536);
      while (nic.read(buffer.clear()) >= 0) {
        // discard
      }
    } catch (IOException e) {
      // listener closed at the end of the test
    }
  }

  @AfterEach
  void cleanUp() throws IOException {
    if (vm != null) {
      vm.close();
    }
    if (launcher != null) {
      launcher.close();
    }
    if (nicListener != null) {
      nicListener.close();
    }
  }

  private VmLaunchSpec.Builder spec() throws IOException {
    Path disk = dir.resolve("disk.img");
    Files.copy(testVm.resolve("disk.img"), disk, StandardCopyOption.REPLACE_EXISTING);
    return VmLaunchSpec.builder()
        .name("it-vm")
        .qemuBinary(qemu)
        .kernel(testVm.resolve("vmlinuz"))
        .initrd(testVm.resolve("initrd.img"))
        .disk(disk)
        .kernelAppend(
            "console=ttyS0 quiet loglevel=3 mitigations=off no_timer_check tsc=reliable"
                + " ftvm.workload=idle")
        .runDirectory(dir)
        .extraArgs("-L", qemu.getParent().resolve("pc-bios").toString());
  }

  @Test
  void recordsABootToReadyThenQuitsViaQmp() throws Exception {
    vm =
        new QemuDriver(launcher)
            .launch(spec().replay(ReplaySpec.record(dir.resolve("rec.bin"))).build());
    List<QmpEvent> events = new CopyOnWriteArrayList<>();
    vm.qmp().addEventListener(events::add);

    assertThat(vm.qmp().qemuVersion().numeric()).isEqualTo("10.0.13");
    assertThat(vm.qmp().executeAndWait("query-status").path("status").asText())
        .isEqualTo("running");
    String ready = awaitConsoleLine("FTVM ready ");
    assertThat(ready).contains("workload=idle");
    assertThat(LinuxProcess.status(vm.pid()).orElseThrow().parentPid())
        .isEqualTo(ProcessHandle.current().pid());

    vm.shutdown(Duration.ofSeconds(10));

    assertThat(vm.exitValue()).hasValue(0);
    assertThat(Files.size(dir.resolve("rec.bin"))).isPositive();
    assertThat(vm.qmp().isOpen()).isFalse();
  }

  @Test
  void killEndsTheVmAtOnce() throws Exception {
    vm = new QemuDriver(launcher).launch(spec().build());
    CompletableFuture<Integer> exit = vm.onExit();

    vm.kill();

    assertThat(exit.get(10, TimeUnit.SECONDS)).isEqualTo(128 + 9);
    assertThat(LinuxProcess.isRunning(vm.pid())).isFalse();
  }

  @Test
  void aQemuThatRefusesItsArgumentsIsReportedWithItsOwnWords() throws Exception {
    VmLaunchSpec broken = spec().extraArgs("-no-such-option").build();

    assertThatThrownBy(() -> new QemuDriver(launcher).launch(broken))
        .isInstanceOf(VmLaunchException.class)
        .hasMessageContaining("VM it-vm did not start")
        .hasMessageContaining("QEMU exited with status 1")
        .hasMessageContaining("-no-such-option");
  }

  @Test
  void aMissingNicListenerIsReportedBeforeStartingQemu() throws Exception {
    nicListener.close();
    Files.deleteIfExists(dir.resolve("net.sock"));

    assertThatThrownBy(() -> new QemuDriver(launcher).launch(spec().build()))
        .isInstanceOf(VmLaunchException.class)
        .hasMessageContaining("nobody listens on the NIC socket " + dir.resolve("net.sock"));
  }

  private String awaitConsoleLine(String prefix) throws Exception {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader console =
                    new BufferedReader(
                        new InputStreamReader(vm.console().guestOutput(), StandardCharsets.UTF_8));
                String next;
                while ((next = console.readLine()) != null) {
                  if (next.startsWith(prefix)) {
                    return next;
                  }
                }
                throw new IllegalStateException("console ended before '" + prefix + "'");
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    return line.get(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
