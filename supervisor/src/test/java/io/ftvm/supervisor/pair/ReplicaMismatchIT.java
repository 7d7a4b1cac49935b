package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9: a pair refuses to start when the replicas' disks differ. Node b's copy of the test
 * guest's disk gets one changed byte; the backup must refuse to pair (HALTED, naming the
 * difference) and acknowledge nothing, so the primary goes on alone, never "protected" (not even
 * briefly: it is protected only from the backup's first ack).
 */
class ReplicaMismatchIT {
  private static final Logger log = LoggerFactory.getLogger(ReplicaMismatchIT.class);

  @Test
  void aBackupWhoseDisksDifferRefusesToPair() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-mismatch-");
    PairGuest testGuest = new TestVmGuest(TestEnvironment.testVm(), "idle");
    PairGuest oneByteOff =
        new PairGuest() {
          @Override
          public PairConfig.GuestSpec spec(String guestCidr, String reservedMac)
              throws IOException {
            return testGuest.spec(guestCidr, reservedMac);
          }

          @Override
          public List<Path> copyDisksInto(Path nodeDirectory) throws IOException {
            List<Path> copies = testGuest.copyDisksInto(nodeDirectory);
            if (nodeDirectory.getFileName().toString().equals(LocalPair.BACKUP)) {
              try (RandomAccessFile disk = new RandomAccessFile(copies.get(0).toFile(), "rw")) {
                disk.seek(5 << 20);
                disk.write(0x5a);
              }
            }
            return copies;
          }

          @Override
          public String describe() {
            return testGuest.describe() + ", node b's disk one byte off";
          }
        };
    try (ChildProcessLauncher launcher = new ChildProcessLauncher()) {
      LocalPair pair = null;
      String startFailure = null;
      try {
        pair =
            LocalPair.start(
                work,
                oneByteOff,
                TestEnvironment.qemu(),
                Duration.ofSeconds(1),
                UnaryOperator.identity(),
                LocalPair.DaemonLauncher.tiedTo(launcher),
                false);
      } catch (IOException e) {
        startFailure = e.getMessage();
        log.info("start failed as it should: {}", startFailure);
      }
      try {
        Path backupRole = work.resolve(LocalPair.BACKUP).resolve("role");
        await("the backup refuses to pair")
            .atMost(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    Files.isRegularFile(backupRole)
                        && Files.readString(backupRole).startsWith("HALTED"));
        assertThat(Files.readString(backupRole)).contains("replica disks differ");
        // The primary learns of the refusal from the peer's PEER_FAILED (or its silence), a moment
        // after the backup halted, and goes on alone.
        Path primaryRole = work.resolve(LocalPair.PRIMARY).resolve("role");
        await("the primary goes on alone")
            .atMost(Duration.ofSeconds(15))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> Files.readString(primaryRole).startsWith("PRIMARY_ALONE"));
        assertThat(startFailure)
            .as("start says the pair is not protected")
            .contains("did not become protected");
        // Every role change is logged: the primary must never have been protected, not even
        // for the moment before the backup's refusal arrived.
        assertThat(Files.readString(work.resolve(LocalPair.PRIMARY).resolve("supervisor.log")))
            .as("the primary is never protected by a backup with other disks")
            .doesNotContain("-> PRIMARY_PROTECTED")
            .contains("role STARTING -> GOING_LIVE");
        assertThat(Files.readString(work.resolve(LocalPair.BACKUP).resolve("supervisor.log")))
            .contains("replica disks' digest");
      } finally {
        if (pair != null) {
          pair.close();
        }
      }
    }
    FileTrees.deleteTree(work);
  }
}
