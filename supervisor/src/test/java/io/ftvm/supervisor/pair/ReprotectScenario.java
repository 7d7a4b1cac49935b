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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 8 item 5 on the real test VM, for whichever host becomes the new backup: kill host A → B
 * live → the joiner's daemon starts (host A's again, or a spare's; it joins empty and is cloned
 * while the guest runs its workload, disk writes included) → protected again at epoch 2 → kill host
 * B → the joiner live. One client TCP connection reads the counter stream through both failovers
 * with no gap and no duplicate, and the joiner's disk checksums agree with the primary's.
 */
final class ReprotectScenario {
  private static final Logger log = LoggerFactory.getLogger(ReprotectScenario.class);
  private static final int LINES = 400;

  /** Starts the joiner's daemon; returns once it is JOINING or further. */
  @FunctionalInterface
  interface JoinerStart {
    void start() throws Exception;
  }

  private ReprotectScenario() {}

  /**
   * Runs the scenario on a protected pair (a primary, b backup).
   *
   * @param joiner the node that becomes b's new backup: "a" restarted, or the spare
   * @param report the measurements' file name under target/ftvm-measurements
   * @return the measurements
   */
  static Map<String, Object> run(
      PairHarness harness, String joiner, JoinerStart startJoiner, String report) throws Exception {
    LocalPair pair = harness.pair();
    Path transcript = harness.startCounterClient(Duration.ofMinutes(10));
    awaitLines(transcript, LINES, 0);

    long firstFault = System.currentTimeMillis();
    PairFault.KILL_PRIMARY_HOST.inject(harness);
    awaitRole(pair, LocalPair.BACKUP, NodeRole.PRIMARY_ALONE);
    awaitLines(transcript, LINES, firstFault);
    assertThat(harness.status(LocalPair.BACKUP).epoch()).isEqualTo(1);

    Path joinerConsole = pair.consoleLog(joiner);
    long consoleBefore = Files.exists(joinerConsole) ? Files.size(joinerConsole) : 0;
    long joinAt = System.currentTimeMillis();
    startJoiner.start();
    await("b protected again by " + joiner + " at a new epoch, within the replay bound")
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              NodeStatus b = harness.status(LocalPair.BACKUP);
              return b.role() == NodeRole.PRIMARY_PROTECTED
                  && b.reason().contains("within the replay bound");
            });
    long protectedAt = System.currentTimeMillis();
    // The primary may count the joiner's first acks a few ms before the joiner's own role says
    // BACKUP_REPLAYING (it wires the cloned VM's NIC first): seen 90 ms apart.
    await(joiner + " replaying")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> harness.status(joiner).role() == NodeRole.BACKUP_REPLAYING);
    NodeStatus primary = harness.status(LocalPair.BACKUP);
    NodeStatus backup = harness.status(joiner);
    assertThat(primary.epoch()).as("new pairing epoch").isEqualTo(2);
    assertThat(primary.reason()).as("the pairing's peer").contains("by " + joiner);
    assertThat(backup.epoch()).isEqualTo(2);
    assertThat(backup.peer()).as("the joiner's peer is the primary that cloned it").isEqualTo("b");
    assertThat(primary.peer()).as("the primary's peer is the joiner").isEqualTo(joiner);
    assertThat(primary.reprotect().succeeded()).isEqualTo(1);
    assertThat(
            Files.exists(
                pair.config()
                    .sharedDirectory()
                    .resolve(pair.config().vmId())
                    .resolve("epoch-2.pairing")))
        .isTrue();

    // The joined replica replays the same disk writes as the primary.
    await("disk checksums on the joined backup " + joiner)
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> diskLines(joinerConsole, consoleBefore).size() >= 5);
    List<String> joined = diskLines(joinerConsole, consoleBefore);
    List<String> primaries = diskLines(pair.consoleLog(LocalPair.BACKUP), 0);
    assertThat(primaries).as("every disk checksum of the joined replica").containsAll(joined);
    assertThat(joined).allMatch(l -> l.endsWith("errors=0"));

    long secondFault = System.currentTimeMillis();
    PairFault.KILL_BACKUP_HOST.inject(harness);
    awaitRole(pair, joiner, NodeRole.PRIMARY_ALONE);
    long secondLive = System.currentTimeMillis();
    awaitLines(transcript, LINES, secondFault);

    CounterTranscript received = CounterTranscript.read(transcript);
    assertThat(received.discontinuities()).as("gaps or duplicates in the counter stream").isEmpty();
    assertThat(received.end()).as("connection ended").isNull();
    assertThat(pair.roleLine(joiner)).contains("PRIMARY_ALONE");
    assertThat(
            Files.exists(
                pair.config()
                    .sharedDirectory()
                    .resolve(pair.config().vmId())
                    .resolve("epoch-2.golive")))
        .as("the second failure claimed the new epoch")
        .isTrue();

    Map<String, Object> measured = new LinkedHashMap<>();
    measured.put("joiner", joiner);
    measured.put("rejoinToProtectedMillis", protectedAt - joinAt);
    measured.put("clonePauseMillis", primary.reprotect().lastPauseMillis());
    measured.put("cloneMillis", primary.reprotect().lastDurationMillis());
    measured.put("cloneDiskBytes", primary.reprotect().lastDiskBytes());
    measured.put("cloneRamBytes", primary.reprotect().lastRamBytes());
    measured.put("secondKillToLiveMillis", secondLive - secondFault);
    measured.put("longestSilenceFirstMillis", received.longestSilenceAround(firstFault));
    measured.put("longestSilenceSecondMillis", received.longestSilenceAround(secondFault));
    measured.put("linesReceived", received.count());
    measured.put("rejoinedDiskLines", joined.size());
    log.info("measured {}", measured);
    Path file = Path.of("target", "ftvm-measurements", report);
    Files.createDirectories(file.getParent());
    PairConfig.mapper().writeValue(file.toFile(), measured);
    return measured;
  }

  /** Removes the work directory unless -Dftvm.pair.keepWork=true. */
  static void removeWork(Path work) throws IOException {
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
    if (!Files.exists(console)) {
      return List.of();
    }
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
