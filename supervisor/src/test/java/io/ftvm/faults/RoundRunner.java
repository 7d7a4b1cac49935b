package io.ftvm.faults;

import io.ftvm.faults.RoundObservation.Bounds;
import io.ftvm.faults.RoundObservation.Expectation;
import io.ftvm.faults.RoundObservation.GoLiveRecordSeen;
import io.ftvm.faults.RoundObservation.StreamSummary;
import io.ftvm.supervisor.pair.CounterTranscript;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.pair.PairHarness;
import io.ftvm.supervisor.topology.TopologySpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One round: a protected pair with a client on one TCP connection to the guest's counter stream,
 * one fault, then watching until the outcome is clear, and the pair removed again. Produces the
 * round's {@link RoundObservation}; judging it is {@link RoundChecker}'s job.
 */
final class RoundRunner {
  private static final Logger log = LoggerFactory.getLogger(RoundRunner.class);
  private static final List<String> NODES = List.of(LocalPair.PRIMARY, LocalPair.BACKUP);
  private static final Pattern RECORD_FILE = Pattern.compile("epoch-(\\d+)\\.golive");

  /** Lines (200 per second) the client must have before the fault: the stream is flowing. */
  private static final int LINES_BEFORE = 200;

  /** How long past its bound a go-live is still waited for, to report how late it came. */
  private static final Duration LATE_GRACE = Duration.ofSeconds(5);

  /** Watching on after the outcome: a second go-live or a loser's late output shows up here. */
  private static final Duration SETTLE = Duration.ofSeconds(1);

  private final PairSupply supply;
  private final Duration detectionTimeout;
  private final Bounds bounds;

  private final Optional<CampaignZooKeeper> zooKeeper;

  RoundRunner(PairSupply supply, Duration detectionTimeout, Bounds bounds) {
    this(supply, detectionTimeout, bounds, Optional.empty());
  }

  /**
   * @param zooKeeper the campaign's ensemble when the pairs decide go-live on ZooKeeper; empty for
   *     the shared directory
   */
  RoundRunner(
      PairSupply supply,
      Duration detectionTimeout,
      Bounds bounds,
      Optional<CampaignZooKeeper> zooKeeper) {
    this.supply = supply;
    this.detectionTimeout = detectionTimeout;
    this.bounds = bounds;
    this.zooKeeper = zooKeeper;
  }

  private GoLiveRecordSource recordSource(PairHarness harness) {
    String vmId = harness.pair().config().vmId();
    return zooKeeper
        .map(zk -> zk.recordSource(vmId))
        .orElseGet(
            () ->
                new GoLiveRecordSource.Directory(
                    harness.pair().config().sharedDirectory().resolve(vmId)));
  }

  RoundObservation run(CampaignFault fault, Path roundDirectory)
      throws IOException, InterruptedException {
    Files.createDirectories(roundDirectory);
    Recorder recorder = new Recorder(fault, fault.expectation());
    PairHarness harness = null;
    TopologySpec topology = null;
    List<Process> helpers = new ArrayList<>();
    try {
      long started = System.currentTimeMillis();
      harness = supply.pairFor(roundDirectory);
      topology = harness.pair().topology().spec();
      Path transcript = supply.counterTranscript(harness);
      // Counted from now: a long-lived pair's client has lines from earlier rounds.
      awaitCondition(
          "client received " + LINES_BEFORE + " lines",
          Duration.ofMinutes(2),
          () -> lines(transcript).countReceivedAfter(started) >= LINES_BEFORE);
      log.info("round ready in {} ms", System.currentTimeMillis() - started);
      Map<String, Long> qemuPids = new LinkedHashMap<>();
      for (String node : NODES) {
        NodeStatus status = harness.status(node);
        qemuPids.put(node, status.qemuPid());
      }
      try (RoundMonitor monitor =
          new RoundMonitor(harness.pair(), qemuPids, recordSource(harness))) {
        recorder.rolesAtFault = monitor.initialRoles();
        // Unresolvable roles are judged by the checker ("not protected when the fault struck").
        PairRoles roles = PairRoles.ofProtected(recorder.rolesAtFault).orElse(PairRoles.INITIAL);
        recorder.expectation = fault.expectation(roles);
        log.info("roles at the fault: primary {}, backup {}", roles.primary(), roles.backup());
        FaultContext context =
            new FaultContext(harness, detectionTimeout, qemuPids, zooKeeper, roles);
        try {
          log.info("injecting {}", fault.cliName());
          recorder.faultStart = System.currentTimeMillis();
          FaultWindow window = fault.inject(context);
          recorder.faultStart = window.startMillis();
          recorder.faultEnd = window.endMillis();
          log.info(
              "fault {} over after {} ms",
              fault.cliName(),
              window.endMillis() - window.startMillis());
          watchOutcome(recorder.expectation, monitor, recorder, transcript);
        } finally {
          helpers.addAll(context.helpers());
          monitor.close();
          recorder.collect(harness, monitor, transcript);
        }
      }
    } catch (Exception | AssertionError e) {
      // A fault's own check (e.g. "QEMU outlived its daemon") fails this round, not the campaign.
      log.error("round failed to run", e);
      recorder.error = e.toString();
    } finally {
      if (harness != null) {
        try {
          recorder.reprotection = supply.roundOver(harness);
        } catch (RuntimeException e) {
          log.error("closing the round's pair failed", e);
          recorder.error = (recorder.error == null ? "" : recorder.error + "; ") + "close: " + e;
        }
      }
    }
    if (supply.removesPairAfterRound()) {
      recorder.leaks = new LeakCheck(roundDirectory, topology, helpers).awaitClean(5000);
    }
    return recorder.observation(bounds);
  }

  private void watchOutcome(
      Expectation expectation, RoundMonitor monitor, Recorder recorder, Path transcript)
      throws InterruptedException, IOException {
    if (!expectation.goLive()) {
      awaitCondition(
          bounds.linesAfter() + " lines after the fault",
          SETTLE.plusSeconds(5),
          () -> lines(transcript).countReceivedAfter(recorder.faultEnd) >= bounds.linesAfter());
      Thread.sleep(SETTLE.toMillis());
      return;
    }
    long clockStart = expectation.liveOnlyAfterFaultEnd() ? recorder.faultEnd : recorder.faultStart;
    long liveDeadline = clockStart + bounds.liveMillis() + LATE_GRACE.toMillis();
    while (monitor.firstLive().isEmpty() && System.currentTimeMillis() < liveDeadline) {
      Thread.sleep(RoundMonitor.POLL_MILLIS);
    }
    Optional<Map.Entry<String, Long>> live = monitor.firstLive();
    if (live.isEmpty()) {
      log.warn("no node live {} ms after the fault", System.currentTimeMillis() - clockStart);
      return;
    }
    long liveAt = live.get().getValue();
    String loser =
        live.get().getKey().equals(LocalPair.PRIMARY) ? LocalPair.BACKUP : LocalPair.PRIMARY;
    awaitCondition(
        bounds.linesAfter() + " lines after the go-live",
        Duration.ofSeconds(10),
        () -> lines(transcript).countReceivedAfter(liveAt) >= bounds.linesAfter());
    long loserDeadline =
        Math.max(liveAt, recorder.faultEnd) + bounds.loserQemuMillis() + SETTLE.toMillis();
    while (!monitor.qemuDeaths().containsKey(loser) && System.currentTimeMillis() < loserDeadline) {
      Thread.sleep(RoundMonitor.POLL_MILLIS);
    }
    Thread.sleep(SETTLE.toMillis());
  }

  /** Waits for a condition; not reaching it is for the checker to judge, so it only logs. */
  private static void awaitCondition(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        log.warn("not reached within {}: {}", timeout, what);
        return;
      }
      Thread.sleep(50);
    }
  }

  private static CounterTranscript lines(Path transcript) {
    try {
      return CounterTranscript.read(transcript);
    } catch (IOException | RuntimeException e) {
      return new CounterTranscript(List.of(), List.of(), null);
    }
  }

  /** Collects the observation while the round runs; fields stay null where it never got there. */
  private static final class Recorder {
    final CampaignFault fault;
    Expectation expectation;
    RoundObservation.Reprotection reprotection;
    String error;
    Map<String, NodeRole> rolesAtFault;
    long faultStart = -1;
    long faultEnd = -1;
    List<RoundObservation.RoleChange> roleChanges = List.of();
    Map<String, Long> qemuDeaths = Map.of();
    Map<String, NodeRole> finalRoles = Map.of();
    Map<String, Boolean> daemonsAlive = Map.of();
    List<GoLiveRecordSeen> records = List.of();
    StreamSummary stream;
    List<String> leaks = List.of();

    Recorder(CampaignFault fault, Expectation expectation) {
      this.fault = fault;
      this.expectation = expectation;
    }

    void collect(PairHarness harness, RoundMonitor monitor, Path transcript) {
      roleChanges = monitor.changes();
      qemuDeaths = monitor.qemuDeaths();
      finalRoles = monitor.currentRoles();
      daemonsAlive = new LinkedHashMap<>();
      for (String node : NODES) {
        daemonsAlive.put(node, harness.pair().daemon(node).isAlive());
      }
      records = readRecords(monitor);
      CounterTranscript received = lines(transcript);
      Optional<Long> liveAt = monitor.firstLive().map(Map.Entry::getValue);
      int linesAfter;
      if (liveAt.isPresent()) {
        linesAfter = received.countReceivedAfter(liveAt.get());
      } else if (!expectation.goLive() && faultEnd > 0) {
        linesAfter = received.countReceivedAfter(faultEnd);
      } else {
        linesAfter = -1;
      }
      stream =
          new StreamSummary(
              received.count(),
              received.discontinuities(),
              received.end(),
              linesAfter,
              faultStart > 0 ? received.longestSilenceAround(faultStart) : -1);
    }

    private static List<GoLiveRecordSeen> readRecords(RoundMonitor monitor) {
      List<GoLiveRecordSeen> seen = new ArrayList<>();
      Map<String, String> winners = monitor.recordWinners();
      monitor
          .recordsFirstSeen()
          .forEach(
              (name, firstSeen) -> {
                Matcher matcher = RECORD_FILE.matcher(name);
                if (!matcher.matches()) {
                  return;
                }
                String winner = winners.get(name);
                if (winner == null) {
                  log.warn("unreadable go-live record {}", name);
                }
                seen.add(
                    new GoLiveRecordSeen(
                        name, Long.parseLong(matcher.group(1)), winner, firstSeen));
              });
      return seen;
    }

    RoundObservation observation(Bounds bounds) {
      return new RoundObservation(
          fault.cliName(),
          expectation,
          bounds,
          error,
          rolesAtFault,
          faultStart,
          faultEnd,
          roleChanges,
          qemuDeaths,
          finalRoles,
          daemonsAlive,
          records,
          stream,
          leaks,
          reprotection);
    }
  }
}
