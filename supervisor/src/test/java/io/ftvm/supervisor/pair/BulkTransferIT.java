package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 7: a bulk transfer OUT of the guest over ONE connection through a protected pair. Before
 * qemu-patches/0008 the netdev socket's back-pressure made the primary's recording
 * nondeterministic, and the backup's replay wedged a few seconds into the transfer (vCPU spinning,
 * replay position frozen) while the pair still called itself protected. This test moves tens of
 * MiB, checks every byte, and checks that the backup keeps pace: the pair stays protected
 * throughout, the backup's replay backlog never reaches the cap that throttles the primary, and the
 * backup replays past the end of the transfer shortly after it.
 */
class BulkTransferIT {
  private static final Logger log = LoggerFactory.getLogger(BulkTransferIT.class);
  private static final long BYTES = 40L << 20;

  /**
   * Longer than the default 500 ms: this test is about the replay keeping pace, and on a 2-core
   * host a spurious peer-lost verdict (issue 7, item 4, tested elsewhere) would end protection for
   * reasons that have nothing to do with the replay.
   */
  private static final Duration DETECTION_TIMEOUT = Duration.ofSeconds(3);

  /** A healthy backup replays past the transfer's end in well under a second (see README). */
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  private static final Duration SAMPLE_EVERY = Duration.ofMillis(200);

  @Test
  void backupKeepsPaceWithABulkTransferOutOfTheGuest() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-bulk-");
    try (PairHarness harness = PairHarness.start(work, "all", DETECTION_TIMEOUT)) {
      LocalPair pair = harness.pair();
      long replayCap = pair.config().timing().maxReplayBacklogBytes();
      harness.awaitGuestService();
      long producedAfterBoot = harness.status(LocalPair.PRIMARY).logProduced();
      await("backup replayed the boot's log burst")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(SAMPLE_EVERY)
          .until(() -> harness.status(LocalPair.BACKUP).logReplayed() >= producedAfterBoot);

      List<Sample> samples = new ArrayList<>();
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
      sampler.scheduleAtFixedRate(
          () -> sample(harness).ifPresent(s -> addSample(samples, s)),
          0,
          SAMPLE_EVERY.toMillis(),
          TimeUnit.MILLISECONDS);
      Properties download;
      long producedAtEnd;
      long caughtUpAt;
      try {
        Path result = harness.startBulkDownload(BYTES);
        await("bulk download of " + BYTES + " bytes finished")
            .atMost(Duration.ofMinutes(4))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> Files.exists(result));
        download = readProperties(result);
        producedAtEnd = harness.status(LocalPair.PRIMARY).logProduced();
        await("backup replays up to the primary's log position at the end of the transfer")
            .atMost(CATCH_UP)
            .pollInterval(Duration.ofMillis(50))
            .untilAsserted(
                () ->
                    assertThat(harness.status(LocalPair.BACKUP).logReplayed())
                        .as(
                            "backup's replayed log position (primary had produced %d)",
                            producedAtEnd)
                        .isGreaterThanOrEqualTo(producedAtEnd));
        caughtUpAt = System.currentTimeMillis();
        // The position counts log written into QEMU's pipe; the console proves QEMU executed it.
        String doneLine = bulkDoneLine(pair.consoleLog(LocalPair.PRIMARY));
        await("backup's replayed console shows the end of the transfer: " + doneLine)
            .atMost(CATCH_UP)
            .pollInterval(Duration.ofMillis(100))
            .until(() -> consoleLines(pair.consoleLog(LocalPair.BACKUP)).contains(doneLine));
      } finally {
        sampler.shutdownNow();
        sampler.awaitTermination(5, TimeUnit.SECONDS);
      }

      assertThat(download.getProperty("end")).as("how the download ended").isEqualTo("eof");
      assertThat(Long.parseLong(download.getProperty("received")))
          .as("bytes received")
          .isEqualTo(BYTES);
      assertThat(Long.parseLong(download.getProperty("mismatches")))
          .as(
              "bytes that differ from the guest's pattern (first at %s)",
              download.getProperty("firstMismatch"))
          .isZero();
      List<Sample> seen;
      synchronized (samples) {
        seen = List.copyOf(samples);
      }
      assertThat(seen).as("status samples during the transfer").hasSizeGreaterThan(10);
      assertThat(seen)
          .as("the pair stays protected throughout")
          .allSatisfy(
              s -> {
                assertThat(s.primaryRole()).isEqualTo(NodeRole.PRIMARY_PROTECTED);
                assertThat(s.backupRole()).isEqualTo(NodeRole.BACKUP_REPLAYING);
              });
      long maxBacklog = seen.stream().mapToLong(Sample::backupBacklog).max().orElse(-1);
      assertThat(maxBacklog)
          .as("backup's replay backlog (the primary is throttled at %d)", replayCap)
          .isLessThan(replayCap);

      long start = Long.parseLong(download.getProperty("startMillis"));
      long end = Long.parseLong(download.getProperty("endMillis"));
      Map<String, Object> measured = new LinkedHashMap<>();
      measured.put("bytes", BYTES);
      measured.put("transferMillis", end - start);
      measured.put("throughputMiBPerSecond", BYTES / 1048576.0 / ((end - start) / 1000.0));
      measured.put("backupBacklogMaxBytes", maxBacklog);
      measured.put("backupBacklogP50Bytes", percentile(seen, 50));
      measured.put("backupBacklogP99Bytes", percentile(seen, 99));
      measured.put("replayLagMaxBytes", seen.stream().mapToLong(Sample::lagBytes).max().orElse(-1));
      measured.put("transferEndToBackupCaughtUpMillis", caughtUpAt - end);
      measured.put("logBytesDuringTransfer", producedAtEnd - seen.get(0).produced());
      measured.put("primaryThrottledSamples", seen.stream().filter(Sample::throttled).count());
      measured.put("samples", seen.size());
      log.info("measured {}", measured);
      Path report = Path.of("target", "ftvm-measurements", "bulk-transfer.json");
      Files.createDirectories(report.getParent());
      PairConfig.mapper().writeValue(report.toFile(), measured);
    }
    deleteRecursively(work);
  }

  /** One look at both nodes; empty when a status request failed (the sample is then missing). */
  private record Sample(
      long atMillis,
      NodeRole primaryRole,
      NodeRole backupRole,
      long produced,
      long replayed,
      long backupBacklog,
      boolean throttled) {
    /** Log the primary wrote that the backup's QEMU has not been given yet. */
    long lagBytes() {
      return Math.max(0, produced - replayed);
    }
  }

  private static Optional<Sample> sample(PairHarness harness) {
    try {
      NodeStatus primary = harness.status(LocalPair.PRIMARY);
      NodeStatus backup = harness.status(LocalPair.BACKUP);
      return Optional.of(
          new Sample(
              System.currentTimeMillis(),
              primary.role(),
              backup.role(),
              primary.logProduced(),
              backup.logReplayed(),
              backup.replayBacklogBytes(),
              primary.throttled()));
    } catch (IOException | RuntimeException e) {
      log.warn("status sample failed: {}", e.toString());
      return Optional.empty();
    }
  }

  private static void addSample(List<Sample> samples, Sample sample) {
    synchronized (samples) {
      samples.add(sample);
    }
  }

  private static long percentile(List<Sample> samples, int percent) {
    long[] sorted = samples.stream().mapToLong(Sample::backupBacklog).sorted().toArray();
    return sorted[
        Math.min(sorted.length - 1, (int) Math.ceil(percent / 100.0 * sorted.length) - 1)];
  }

  private static String bulkDoneLine(Path console) throws IOException {
    return consoleLines(console).stream()
        .filter(l -> l.startsWith("FTVM net close service=bulk") && l.contains("reason=done"))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("primary console has no finished bulk transfer"));
  }

  private static List<String> consoleLines(Path console) throws IOException {
    if (!Files.exists(console)) {
      return List.of();
    }
    String text = Files.readString(console, StandardCharsets.ISO_8859_1).replace("\r", "");
    return List.of(text.split("\n"));
  }

  private static Properties readProperties(Path file) throws IOException {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    }
    return properties;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
