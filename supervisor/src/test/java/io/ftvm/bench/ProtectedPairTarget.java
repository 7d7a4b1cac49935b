package io.ftvm.bench;

import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.topology.PairTopology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Configuration "ft": the protected pair exactly as {@code ftvm start --pair} runs it ({@link
 * LocalPair}: hosts A and B, one supervisor daemon each, primary recording and streaming, backup
 * following), read through the daemons' {@code status}.
 */
final class ProtectedPairTarget implements BenchTarget {
  private static final Logger log = LoggerFactory.getLogger(ProtectedPairTarget.class);
  private static final String READY_LINE = "FTVM ready";

  private final LocalPair pair;
  private final long startedNanos;
  private final SampleSeries logProduced = new SampleSeries();
  private final SampleSeries unackedBytes = new SampleSeries();
  private final SampleSeries replayLagBytes = new SampleSeries();
  private final SampleSeries backupBacklogBytes = new SampleSeries();
  private final SampleSeries primaryQemuCpuMillis = new SampleSeries();
  private final SampleSeries backupQemuCpuMillis = new SampleSeries();
  private final SampleSeries daemonCpuMillis = new SampleSeries();
  private final SampleSeries protectedFlag = new SampleSeries();
  private final SampleSeries throttledFlag = new SampleSeries();
  private final AtomicLong failedSamples = new AtomicLong();
  private final List<Map.Entry<Long, NodeStatus>> primaryStatuses = new ArrayList<>();

  private ProtectedPairTarget(LocalPair pair, long startedNanos) {
    this.pair = pair;
    this.startedNanos = startedNanos;
  }

  static ProtectedPairTarget start(
      Path directory,
      GuestImage image,
      String workload,
      Path qemu,
      Duration detectionTimeout,
      ChildProcessLauncher launcher)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    LocalPair pair =
        LocalPair.start(
            directory,
            image.directory(),
            workload,
            qemu,
            detectionTimeout,
            LocalPair.DaemonLauncher.tiedTo(launcher));
    return new ProtectedPairTarget(pair, started);
  }

  @Override
  public PairTopology topology() {
    return pair.topology();
  }

  /** The primary's console log is written through the Output Rule: ready means ready outside. */
  @Override
  public double awaitGuestReady(Duration timeout) {
    Path console = pair.consoleLog(LocalPair.PRIMARY);
    await("guest ready line in " + console)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .failFast(
            "the primary left PRIMARY_PROTECTED: " + pair.roleLine(LocalPair.PRIMARY),
            () -> pair.roleOf(LocalPair.PRIMARY).orElse(null) != NodeRole.PRIMARY_PROTECTED)
        .until(
            () ->
                Files.exists(console)
                    && Files.readString(console, StandardCharsets.ISO_8859_1).contains(READY_LINE));
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  /** Host a is the primary's (its daemon and QEMU), host b the backup's. */
  @Override
  public Map<String, List<Long>> processesByHost() {
    Map<String, List<Long>> hosts = new LinkedHashMap<>();
    try {
      for (String node : List.of(LocalPair.PRIMARY, LocalPair.BACKUP)) {
        hosts.put(node, List.of(pair.daemon(node).pid(), pair.control(node).status().qemuPid()));
      }
    } catch (IOException e) {
      throw new IllegalStateException("reading the nodes' QEMU pids: " + e.getMessage(), e);
    }
    return hosts;
  }

  @Override
  public void sample(long epochMillis) {
    try {
      NodeStatus primary = pair.control(LocalPair.PRIMARY).status();
      NodeStatus backup = pair.control(LocalPair.BACKUP).status();
      synchronized (this) {
        primaryStatuses.add(Map.entry(epochMillis, primary));
      }
      logProduced.add(epochMillis, primary.logProduced());
      unackedBytes.add(epochMillis, primary.unackedBytes());
      replayLagBytes.add(epochMillis, Math.max(0, primary.logProduced() - backup.logReplayed()));
      backupBacklogBytes.add(epochMillis, backup.replayBacklogBytes());
      protectedFlag.add(
          epochMillis,
          primary.role() == NodeRole.PRIMARY_PROTECTED && backup.role() == NodeRole.BACKUP_REPLAYING
              ? 1
              : 0);
      throttledFlag.add(epochMillis, primary.throttled() ? 1 : 0);
      ProcessCpu.cpuMillis(primary.qemuPid())
          .ifPresent(ms -> primaryQemuCpuMillis.add(epochMillis, ms));
      ProcessCpu.cpuMillis(backup.qemuPid())
          .ifPresent(ms -> backupQemuCpuMillis.add(epochMillis, ms));
      long daemons = 0;
      for (String node : List.of(LocalPair.PRIMARY, LocalPair.BACKUP)) {
        daemons += ProcessCpu.cpuMillis(pair.daemon(node).pid()).orElse(0);
      }
      daemonCpuMillis.add(epochMillis, daemons);
    } catch (IOException | RuntimeException e) {
      failedSamples.incrementAndGet();
      log.warn("status sample failed: {}", e.getMessage());
    }
  }

  @Override
  public Map<String, Double> summarize(MeasuredWindow window) {
    long startMillis = window.startMillis();
    long endMillis = window.endMillis();
    Map<String, Double> figures = new LinkedHashMap<>();
    double logRate = logProduced.ratePerSecond(startMillis, endMillis).orElse(Double.NaN);
    figures.put("logBytesPerSecond", logRate);
    primaryQemuCpuMillis
        .ratePerSecond(startMillis, endMillis)
        .ifPresent(r -> figures.put("qemuCpuPercent", r / 10.0));
    backupQemuCpuMillis
        .ratePerSecond(startMillis, endMillis)
        .ifPresent(r -> figures.put("backupQemuCpuPercent", r / 10.0));
    daemonCpuMillis
        .ratePerSecond(startMillis, endMillis)
        .ifPresent(r -> figures.put("daemonsCpuPercent", r / 10.0));
    unackedBytes
        .percentile(startMillis, endMillis, 0.5)
        .ifPresent(v -> figures.put("unackedBytesP50", v));
    unackedBytes.max(startMillis, endMillis).ifPresent(v -> figures.put("unackedBytesMax", v));
    backupBacklogBytes
        .max(startMillis, endMillis)
        .ifPresent(v -> figures.put("backupBacklogBytesMax", v));
    replayLagBytes
        .percentile(startMillis, endMillis, 0.5)
        .ifPresent(v -> figures.put("replayLagBytesP50", v));
    replayLagBytes.max(startMillis, endMillis).ifPresent(v -> figures.put("replayLagBytesMax", v));
    if (logRate > 0) {
      // Bytes behind divided by the log rate: roughly how much guest time the backup trails by.
      replayLagBytes
          .percentile(startMillis, endMillis, 0.5)
          .ifPresent(v -> figures.put("replayLagMillisP50", v * 1000 / logRate));
      replayLagBytes
          .max(startMillis, endMillis)
          .ifPresent(v -> figures.put("replayLagMillisMax", v * 1000 / logRate));
    }
    protectedFlag
        .min(startMillis, endMillis)
        .ifPresent(v -> figures.put("protectedWholeWindow", v));
    throttledFlag.max(startMillis, endMillis).ifPresent(v -> figures.put("throttledInWindow", v));
    figures.put("failedStatusSamples", (double) failedSamples.get());
    // The daemons keep percentiles over their last 4096 outputs, so a snapshot at the end of each
    // phase describes mostly that phase.
    statusAt(window.kvStartMillis()).ifPresent(s -> putLatencies(figures, "echo", s));
    statusAt(endMillis).ifPresent(s -> putLatencies(figures, "kv", s));
    return figures;
  }

  private static void putLatencies(Map<String, Double> figures, String phase, NodeStatus status) {
    figures.put(phase + "AckRttP50Micros", (double) status.ackRttP50Micros());
    figures.put(phase + "AckRttP99Micros", (double) status.ackRttP99Micros());
    figures.put(phase + "OutputHoldP50Micros", (double) status.outputHoldP50Micros());
    figures.put(phase + "OutputHoldP99Micros", (double) status.outputHoldP99Micros());
  }

  /** The last primary status read at or before {@code epochMillis}. */
  private synchronized Optional<NodeStatus> statusAt(long epochMillis) {
    NodeStatus found = null;
    for (Map.Entry<Long, NodeStatus> entry : primaryStatuses) {
      if (entry.getKey() <= epochMillis) {
        found = entry.getValue();
      }
    }
    return Optional.ofNullable(found);
  }

  @Override
  public void close() {
    try {
      pair.close();
    } catch (RuntimeException e) {
      log.warn("closing the pair: {}", e.getMessage());
    }
    for (String node : List.of(LocalPair.PRIMARY, LocalPair.BACKUP)) {
      try {
        Files.deleteIfExists(pair.config().node(node).disk());
      } catch (IOException e) {
        log.debug("cleanup: {}", e.getMessage());
      }
    }
  }
}
