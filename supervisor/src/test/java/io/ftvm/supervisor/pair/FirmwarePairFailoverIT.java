package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.supervisor.vm.VmDescriptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9: a pair of a VM described by the admin, booted through the firmware from its own disk
 * (SeaBIOS, MBR, SYSLINUX: test-vms/build-bootdisk.sh) with a second disk, fails over on a kill -9
 * of host A with the client's connection intact. Booting is slower than the direct-kernel test
 * guest (the boot loader reads kernel and initrd through the BIOS under TCG).
 */
class FirmwarePairFailoverIT {
  private static final Logger log = LoggerFactory.getLogger(FirmwarePairFailoverIT.class);

  @Test
  void aFirmwareBootedPairFailsOverWithTheConnectionIntact() throws Exception {
    Path description = bootDisks().resolve("vm-firmware.json");
    PairGuest guest = new DescribedGuest(new VmDescriptions().load(description));
    Path work = Files.createTempDirectory("ftvm-it-firmware-pair-");
    long started = System.nanoTime();
    try (PairHarness harness =
        PairHarness.start(
            work, guest, Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS))) {
      PairConfig.GuestSpec vm = harness.pair().config().vm();
      assertThat(vm.kernel()).as("firmware boot").isNull();
      assertThat(vm.hardware().disks()).hasSize(2);
      harness.awaitGuestService();
      long serviceAfterMillis = (System.nanoTime() - started) / 1_000_000;
      assertThat(
              Files.readString(
                  harness.pair().consoleLog(LocalPair.PRIMARY), StandardCharsets.ISO_8859_1))
          .as("booted by SYSLINUX from its own disk")
          .contains("SYSLINUX");
      assertThat(harness.status(LocalPair.PRIMARY).guest().readiness())
          .isEqualTo(GuestView.Readiness.UP);

      Map<String, Object> measured = KillPrimaryScenario.run(harness);

      measured.put("startToGuestServiceMillis", serviceAfterMillis);
      log.info("measured {}", measured);
    }
    FileTrees.deleteTree(work);
  }

  private static Path bootDisks() throws Exception {
    Process build =
        new ProcessBuilder(
                "bash", "../test-vms/build-bootdisk.sh", TestEnvironment.testVm().toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(build.waitFor()).as("build-bootdisk.sh").isZero();
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    return Path.of(lines.get(lines.size() - 1).trim());
  }
}
