package io.ftvm.faults;

import io.ftvm.supervisor.pair.PairHarness;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a fault acts on: the round's pair, the pids its nodes had when the fault was about to
 * strike, and the helper processes the fault starts (so the leak check can see they are gone).
 */
final class FaultContext {
  private final PairHarness harness;
  private final Duration detectionTimeout;
  private final Map<String, Long> qemuPids;
  private final List<Process> helpers = new ArrayList<>();

  private final java.util.Optional<CampaignZooKeeper> zooKeeper;
  private final PairRoles roles;

  FaultContext(
      PairHarness harness,
      Duration detectionTimeout,
      Map<String, Long> qemuPids,
      java.util.Optional<CampaignZooKeeper> zooKeeper,
      PairRoles roles) {
    this.harness = harness;
    this.detectionTimeout = detectionTimeout;
    this.qemuPids = qemuPids;
    this.zooKeeper = zooKeeper;
    this.roles = roles;
  }

  /** Which node is primary and which backup when the fault strikes. */
  PairRoles roles() {
    return roles;
  }

  /** The campaign's ZooKeeper ensemble when the pair decides go-live on it. */
  java.util.Optional<CampaignZooKeeper> zooKeeper() {
    return zooKeeper;
  }

  PairHarness harness() {
    return harness;
  }

  Duration detectionTimeout() {
    return detectionTimeout;
  }

  long qemuPid(String node) {
    return qemuPids.get(node);
  }

  long daemonPid(String node) {
    return harness.pair().daemon(node).pid();
  }

  List<Process> helpers() {
    return helpers;
  }

  /**
   * SIGSTOPs the processes, waits, SIGCONTs them (also if the wait is interrupted): the node is
   * frozen, not dead, as in a long GC pause or a stalled VM host.
   */
  FaultWindow pause(List<Long> pids, Duration howLong) throws IOException, InterruptedException {
    long start = System.currentTimeMillis();
    signal("STOP", pids);
    try {
      Thread.sleep(howLong.toMillis());
    } finally {
      signal("CONT", pids);
    }
    return new FaultWindow(start, System.currentTimeMillis());
  }

  private static void signal(String signal, List<Long> pids)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes());
    if (kill.waitFor() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.trim());
    }
  }
}
