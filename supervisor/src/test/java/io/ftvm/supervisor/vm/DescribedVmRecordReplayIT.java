package io.ftvm.supervisor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.hypervisor.ConsoleSpec;
import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.pair.NetdevConnection;
import io.ftvm.supervisor.pair.TestEnvironment;
import io.ftvm.supervisor.recording.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Described VMs under real record and replay: the test VM's kernel booted from a disk through
 * SeaBIOS and SYSLINUX (test-vms/build-bootdisk.sh), on a raw virtio disk, a qcow2 virtio disk and
 * a raw IDE disk, each with a second virtio disk. A replay must print exactly the recorded console
 * and leave every disk exactly as the recording did; that is what makes a bus or NIC model
 * "supported" in {@link VmDescriptionValidator}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DescribedVmRecordReplayIT {
  private static final Logger log = LoggerFactory.getLogger(DescribedVmRecordReplayIT.class);
  private static final String RECORD_UNTIL = "FTVM heartbeat 3";

  @TempDir Path dir;

  private Path qemu;
  private Path bootDisks;
  private ChildProcessLauncher launcher;

  @BeforeAll
  void environment() throws Exception {
    qemu = TestEnvironment.qemu();
    Path testVm = TestEnvironment.testVm();
    Process build =
        new ProcessBuilder("bash", "../test-vms/build-bootdisk.sh", testVm.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(build.waitFor()).as("build-bootdisk.sh").isZero();
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    bootDisks = Path.of(lines.get(lines.size() - 1).trim());
    launcher = new ChildProcessLauncher();
  }

  @AfterAll
  void close() {
    launcher.close();
  }

  private record Run(String console, List<String> diskDigests) {}

  @ParameterizedTest
  @ValueSource(strings = {"vm-firmware.json", "vm-firmware-qcow2.json", "vm-firmware-ide.json"})
  void replayIsIdenticalToTheRecording(String descriptionFile) throws Exception {
    VmDescription vm = new VmDescriptions().load(bootDisks.resolve(descriptionFile));
    Path replayLog = dir.resolve(descriptionFile + ".rr");

    Run recorded = run(vm, "record", ReplaySpec.record(replayLog));
    assertThat(recorded.console())
        .contains("SYSLINUX")
        .contains("FTVM ready")
        .contains(RECORD_UNTIL);
    Run replayed = run(vm, "replay", ReplaySpec.replay(replayLog, false, false));

    assertThat(replayed.console()).isEqualTo(recorded.console());
    assertThat(replayed.diskDigests()).isEqualTo(recorded.diskDigests());
    log.info(
        "{}: replay identical ({} console bytes, disks {})",
        descriptionFile,
        recorded.console().length(),
        recorded.diskDigests());
  }

  private Run run(VmDescription vm, String mode, ReplaySpec replay) throws Exception {
    Path run =
        Files.createDirectories(dir.resolve(vm.name() + "-" + mode + "-" + System.nanoTime()));
    List<Path> images = new ArrayList<>();
    for (int i = 0; i < vm.disks().size(); i++) {
      Path copy = run.resolve("disk" + i);
      Files.copy(vm.disks().get(i).file(), copy);
      images.add(copy);
    }
    VmLaunchSpec spec =
        VmLaunchSpec.builder()
            .name("described-" + mode)
            .qemuBinary(qemu)
            .memoryMib(vm.memoryMib())
            .devices(new GuestDevicesMapping().devices(vm, images))
            .replay(replay)
            .qmpSocket(run.resolve("qmp.sock"))
            .console(ConsoleSpec.file(run.resolve("console.log")))
            .netdevSocket(run.resolve("net.sock"))
            .qemuLog(run.resolve("qemu.log"))
            .startupTimeout(Duration.ofSeconds(60))
            .build();
    Path console = spec.console().path();
    try (NetdevConnection nic = NetdevConnection.bind(spec.netdevSocket())) {
      discardFrames(nic);
      try (VmInstance instance = new QemuDriver(launcher).launch(spec)) {
        if (replay.mode() == io.ftvm.supervisor.hypervisor.ReplayMode.RECORD) {
          await()
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofMillis(200))
              .until(() -> Files.readString(console).contains(RECORD_UNTIL));
          instance.shutdown(Duration.ofSeconds(20));
        } else {
          assertThat(instance.awaitExit(Duration.ofMinutes(3)))
              .as("replay reached the end")
              .isTrue();
        }
        assertThat(instance.exitValue()).as("%s exit status", mode).hasValue(0);
      }
    }
    List<String> digests = new ArrayList<>();
    for (Path image : images) {
      digests.add(Sha256.of(image));
    }
    return new Run(Files.readString(console), digests);
  }

  private static void discardFrames(NetdevConnection nic) {
    Thread thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  nic.readFrame();
                }
              } catch (IOException e) {
                // the guest's NIC closed: QEMU is gone
              }
            },
            "nic-discard");
    thread.setDaemon(true);
    thread.start();
  }
}
