package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 7's replay watchdog on the real pair: the backup's QEMU stops (SIGSTOP) while the primary
 * keeps producing log. The backup must notice within its stall bound, say so, and leave the pair,
 * so the primary goes on alone instead of being throttled for good; the client's TCP counter stream
 * must come through unbroken.
 */
class ReplayStallIT {
  private static final Logger log = LoggerFactory.getLogger(ReplayStallIT.class);
  private static final Duration DETECTION_TIMEOUT = Duration.ofMillis(500);

  @Test
  void aStalledBackupReplayIsReportedAndThePrimaryGoesOnAlone() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-stall-");
    long stallMillis = PairConfig.Timing.defaults().replayStallMillis();
    try (PairHarness harness = PairHarness.start(work, "all", DETECTION_TIMEOUT)) {
      LocalPair pair = harness.pair();
      Path transcript = harness.startCounterClient(Duration.ofMinutes(5));
      await("counter stream flowing through the protected primary")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> CounterTranscript.read(transcript).count() >= 200);
      NodeStatus backup = harness.status(LocalPair.BACKUP);
      assertThat(backup.role()).isEqualTo(NodeRole.BACKUP_REPLAYING);
      assertThat(backup.replayStalled()).isFalse();
      long qemuPid = backup.qemuPid();
      assertThat(qemuPid).isPositive();

      long stoppedAt = System.nanoTime();
      signal("STOP", qemuPid);
      try {
        await("backup reports its replay stalled and leaves the pair")
            .atMost(Duration.ofMillis(stallMillis + 10_000))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> pair.roleOf(LocalPair.BACKUP).orElse(null) == NodeRole.HALTED);
        long haltedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        assertThat(haltedAfter)
            .as("watchdog fired after the stall bound, not before")
            .isGreaterThanOrEqualTo(stallMillis);
        await("primary goes on alone")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> pair.roleOf(LocalPair.PRIMARY).orElse(null) == NodeRole.PRIMARY_ALONE);
        long aloneAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        log.info(
            "measured: backup QEMU stopped -> backup HALTED {} ms, -> primary alone {} ms"
                + " (replayStallMillis {}, detection timeout {} ms)",
            haltedAfter,
            aloneAfter,
            stallMillis,
            DETECTION_TIMEOUT.toMillis());
      } finally {
        signal("CONT", qemuPid); // if the halt did not kill it, let it die normally
      }

      String backupLog =
          Files.readString(
              pair.config().node(LocalPair.BACKUP).stateDirectory().resolve("supervisor.log"),
              StandardCharsets.UTF_8);
      assertThat(backupLog).contains("ERROR").contains("replay stalled");
      assertThat(pair.roleLine(LocalPair.BACKUP)).contains("replay stalled");
      assertThat(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false))
          .as("the stalled backup's QEMU is killed")
          .isFalse();

      long afterStall = System.currentTimeMillis();
      await("the same TCP connection delivers new lines from the lone primary")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> CounterTranscript.read(transcript).countReceivedAfter(afterStall) >= 200);
      CounterTranscript received = CounterTranscript.read(transcript);
      assertThat(received.discontinuities()).as("gaps or duplicates").isEmpty();
      assertThat(received.end()).as("connection ended").isNull();
      assertThat(pair.roleOf(LocalPair.PRIMARY)).contains(NodeRole.PRIMARY_ALONE);
      assertThat(pair.roleOf(LocalPair.BACKUP)).contains(NodeRole.HALTED);
    }
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
    kill.waitFor(5, TimeUnit.SECONDS);
  }
}
