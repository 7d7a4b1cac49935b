package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 8 item 5 on the real test VM: kill host A → B live → A's daemon restarts (joins empty, is
 * cloned while the guest runs workload "all", disk writes included) → protected again at epoch 2 →
 * kill host B → A live. One client TCP connection reads the counter stream through both failovers
 * with no gap and no duplicate, and the re-joined replica's disk checksums agree with the
 * primary's.
 */
// In CI since qemu-patches 0014: before it, the first clone of a VM that had just gone live from
// replay (this test's clone) stalled its new backup in about 2 of 7 such clones. With 0014 it
// passed 6 of 6 in a row (docs/reliability.md).
class ReprotectIT {
  private static final Logger log = LoggerFactory.getLogger(ReprotectIT.class);
  private static final Duration DETECTION_TIMEOUT =
      Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS);
  private static final int LINES = 400;

  @Test
  void aSurvivorIsProtectedAgainAtANewEpochAndSurvivesTheNextFailure() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-reprotect-");
    try (PairHarness harness = PairHarness.start(work, "all", DETECTION_TIMEOUT)) {
      LocalPair pair = harness.pair();
      Path transcript = harness.startCounterClient(Duration.ofMinutes(10));
      awaitLines(transcript, LINES, 0);

      long firstFault = System.currentTimeMillis();
      PairFault.KILL_PRIMARY_HOST.inject(harness);
      awaitRole(pair, LocalPair.BACKUP, NodeRole.PRIMARY_ALONE);
      awaitLines(transcript, LINES, firstFault);
      assertThat(harness.status(LocalPair.BACKUP).epoch()).isEqualTo(1);

      long consoleBefore = Files.size(pair.consoleLog(LocalPair.PRIMARY));
      long rejoinAt = System.currentTimeMillis();
      harness.rejoin(LocalPair.PRIMARY);
      await("b protected again by a at a new epoch, a within the replay bound")
          .atMost(Duration.ofMinutes(4))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                NodeStatus b = harness.status(LocalPair.BACKUP);
                return b.role() == NodeRole.PRIMARY_PROTECTED
                    && b.reason().contains("within the replay bound");
              });
      long protectedAt = System.currentTimeMillis();
      NodeStatus primary = harness.status(LocalPair.BACKUP);
      NodeStatus backup = harness.status(LocalPair.PRIMARY);
      assertThat(primary.epoch()).as("new pairing epoch").isEqualTo(2);
      assertThat(backup.epoch()).isEqualTo(2);
      assertThat(backup.role()).isEqualTo(NodeRole.BACKUP_REPLAYING);
      assertThat(primary.reprotect().succeeded()).isEqualTo(1);
      assertThat(
              Files.exists(
                  pair.config()
                      .sharedDirectory()
                      .resolve(pair.config().vmId())
                      .resolve("epoch-2.pairing")))
          .isTrue();

      // The re-joined replica replays the same disk writes as the primary.
      await("disk checksums on the re-joined backup")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> diskLines(pair.consoleLog(LocalPair.PRIMARY), consoleBefore).size() >= 5);
      List<String> rejoined = diskLines(pair.consoleLog(LocalPair.PRIMARY), consoleBefore);
      List<String> primaries = diskLines(pair.consoleLog(LocalPair.BACKUP), 0);
      assertThat(primaries)
          .as("every disk checksum of the re-joined replica")
          .containsAll(rejoined);
      assertThat(rejoined).allMatch(l -> l.endsWith("errors=0"));

      long secondFault = System.currentTimeMillis();
      PairFault.KILL_BACKUP_HOST.inject(harness);
      awaitRole(pair, LocalPair.PRIMARY, NodeRole.PRIMARY_ALONE);
      long secondLive = System.currentTimeMillis();
      awaitLines(transcript, LINES, secondFault);

      CounterTranscript received = CounterTranscript.read(transcript);
      assertThat(received.discontinuities())
          .as("gaps or duplicates in the counter stream")
          .isEmpty();
      assertThat(received.end()).as("connection ended").isNull();
      assertThat(pair.roleLine(LocalPair.PRIMARY)).contains("PRIMARY_ALONE");
      assertThat(
              Files.exists(
                  pair.config()
                      .sharedDirectory()
                      .resolve(pair.config().vmId())
                      .resolve("epoch-2.golive")))
          .as("the second failure claimed the new epoch")
          .isTrue();

      Map<String, Object> measured = new LinkedHashMap<>();
      measured.put("rejoinToProtectedMillis", protectedAt - rejoinAt);
      measured.put("clonePauseMillis", primary.reprotect().lastPauseMillis());
      measured.put("cloneMillis", primary.reprotect().lastDurationMillis());
      measured.put("cloneDiskBytes", primary.reprotect().lastDiskBytes());
      measured.put("cloneRamBytes", primary.reprotect().lastRamBytes());
      measured.put("secondKillToLiveMillis", secondLive - secondFault);
      measured.put("longestSilenceFirstMillis", received.longestSilenceAround(firstFault));
      measured.put("longestSilenceSecondMillis", received.longestSilenceAround(secondFault));
      measured.put("linesReceived", received.count());
      measured.put("rejoinedDiskLines", rejoined.size());
      log.info("measured {}", measured);
      Path report = Path.of("target", "ftvm-measurements", "reprotect.json");
      Files.createDirectories(report.getParent());
      PairConfig.mapper().writeValue(report.toFile(), measured);
    }
    if (!Boolean.getBoolean("ftvm.pair.keepWork")) {
      try (Stream<Path> paths = Files.walk(work)) {
        paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void awaitLines(Path transcript, int lines, long after) {
    await("counter lines after " + after)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> CounterTranscript.read(transcript).countReceivedAfter(after) >= lines);
  }

  private static void awaitRole(LocalPair pair, String node, NodeRole role) {
    await(node + " " + role)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> pair.roleOf(node).equals(Optional.of(role)));
  }

  /** "FTVM disk blocks=… sum=… errors=…" lines written after byte {@code from} of a console. */
  private static List<String> diskLines(Path console, long from) throws IOException {
    byte[] all = Files.readAllBytes(console);
    String text =
        new String(
                all,
                (int) Math.min(from, all.length),
                (int) Math.max(0, all.length - from),
                StandardCharsets.ISO_8859_1)
            .replace("\r", "");
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return List.of();
    }
    return Stream.of(text.substring(0, end).split("\n"))
        .filter(l -> l.startsWith("FTVM disk blocks="))
        .toList();
  }
}
