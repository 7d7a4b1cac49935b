package io.ftvm.faults;

import io.ftvm.faults.RoundObservation.RoleChange;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.topology.ProcessIdentity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a pair from outside while a fault plays out, every {@value #POLL_MILLIS} ms: each node's
 * role file (it survives a dead supervisor), whether each node's QEMU still runs, and which go-live
 * records appear on the shared storage. Only what it polls is seen: a role held for less than one
 * poll may be missed, which is why the checker also looks at the final roles and the records.
 */
final class RoundMonitor implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RoundMonitor.class);
  static final long POLL_MILLIS = 10;
  private static final List<String> NODES = List.of(LocalPair.PRIMARY, LocalPair.BACKUP);

  private final LocalPair pair;
  private final Map<String, Optional<ProcessIdentity>> qemus = new LinkedHashMap<>();
  private final GoLiveRecordSource recordSource;
  private final Map<String, String> recordWinners = new LinkedHashMap<>();
  private final Thread recordThread;
  private final Map<String, NodeRole> initialRoles = new LinkedHashMap<>();
  private final Map<String, NodeRole> currentRoles = new LinkedHashMap<>();
  private final List<RoleChange> changes = new ArrayList<>();
  private final Map<String, Long> qemuDeaths = new LinkedHashMap<>();
  private final Map<String, Long> recordsFirstSeen = new LinkedHashMap<>();

  /** Records of earlier epochs (a long-lived pair's earlier rounds): not this round's outcome. */
  private final java.util.Set<String> recordsBefore = new java.util.HashSet<>();

  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Takes the first sample (the roles "at the fault") before it returns, then polls on its own
   * thread until closed.
   */
  RoundMonitor(LocalPair pair, Map<String, Long> qemuPids, GoLiveRecordSource recordSource) {
    this.pair = pair;
    qemuPids.forEach((node, pid) -> qemus.put(node, ProcessIdentity.of(pid)));
    this.recordSource = recordSource;
    for (String node : NODES) {
      NodeRole role = role(node).orElse(null);
      initialRoles.put(node, role);
      currentRoles.put(node, role);
    }
    poll();
    try {
      recordsBefore.addAll(recordSource.records().keySet());
    } catch (IOException e) {
      log.warn("reading the go-live records before the fault: {}", e.toString());
    }
    pollRecords();
    this.thread = new Thread(this::run, "round-monitor");
    thread.setDaemon(true);
    thread.start();
    // Records on its own thread: reading a coordination service can block for its timeout while
    // the service is down, and role changes must still be seen meanwhile.
    this.recordThread = new Thread(this::runRecords, "round-monitor-records");
    recordThread.setDaemon(true);
    recordThread.start();
  }

  private void runRecords() {
    while (running) {
      try {
        pollRecords();
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("record poll failed: {}", e.toString());
      }
    }
  }

  private void pollRecords() {
    Map<String, String> records;
    try {
      records = recordSource.records();
    } catch (IOException e) {
      log.debug("reading go-live records: {}", e.getMessage());
      return;
    }
    long now = System.currentTimeMillis();
    synchronized (this) {
      records.forEach(
          (name, winner) -> {
            if (recordsBefore.contains(name)) {
              return;
            }
            recordsFirstSeen.putIfAbsent(name, now);
            if (winner != null || !recordWinners.containsKey(name)) {
              recordWinners.put(name, winner); // a record still being written reads as null
            }
          });
    }
  }

  private void run() {
    while (running) {
      try {
        poll();
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        log.warn("monitor poll failed: {}", e.toString());
      }
    }
  }

  private synchronized void poll() {
    long now = System.currentTimeMillis();
    for (String node : NODES) {
      String line = pair.roleLine(node);
      Optional<NodeRole> role = parse(line);
      if (role.isPresent() && role.get() != currentRoles.get(node)) {
        currentRoles.put(node, role.get());
        String reason = line.contains(" ") ? line.substring(line.indexOf(' ') + 1) : "";
        changes.add(new RoleChange(now, node, role.get(), reason));
        log.info("role of {} -> {} ({})", node, role.get(), reason);
      }
      Optional<ProcessIdentity> qemu = qemus.get(node);
      if (!qemuDeaths.containsKey(node) && (qemu.isEmpty() || !qemu.get().isAlive())) {
        qemuDeaths.put(node, now);
        log.info("QEMU of {} is dead", node);
      }
    }
  }

  private Optional<NodeRole> role(String node) {
    return parse(pair.roleLine(node));
  }

  private static Optional<NodeRole> parse(String roleLine) {
    try {
      return Optional.of(NodeRole.valueOf(roleLine.split(" ", 2)[0]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  synchronized Map<String, NodeRole> initialRoles() {
    return new LinkedHashMap<>(initialRoles);
  }

  synchronized Map<String, NodeRole> currentRoles() {
    return new LinkedHashMap<>(currentRoles);
  }

  synchronized List<RoleChange> changes() {
    return new ArrayList<>(changes);
  }

  /** The first node seen PRIMARY_ALONE and when, if any. */
  synchronized Optional<Map.Entry<String, Long>> firstLive() {
    return changes.stream()
        .filter(c -> c.role() == NodeRole.PRIMARY_ALONE)
        .findFirst()
        .map(c -> Map.entry(c.node(), c.atMillis()));
  }

  synchronized Map<String, Long> qemuDeaths() {
    return new LinkedHashMap<>(qemuDeaths);
  }

  synchronized Map<String, Long> recordsFirstSeen() {
    return new LinkedHashMap<>(recordsFirstSeen);
  }

  /** Winner of each record seen (null: unreadable), as read when first seen. */
  synchronized Map<String, String> recordWinners() {
    return new LinkedHashMap<>(recordWinners);
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(2000);
    // Not interrupted: a read in flight would leave its answer behind for the next round's reader.
    recordThread.join(15_000);
    poll();
    pollRecords();
  }
}
