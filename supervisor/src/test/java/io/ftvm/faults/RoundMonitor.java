package io.ftvm.faults;

import io.ftvm.faults.RoundObservation.RoleChange;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.topology.ProcessIdentity;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
  private final Path recordDirectory;
  private final Map<String, NodeRole> initialRoles = new LinkedHashMap<>();
  private final Map<String, NodeRole> currentRoles = new LinkedHashMap<>();
  private final List<RoleChange> changes = new ArrayList<>();
  private final Map<String, Long> qemuDeaths = new LinkedHashMap<>();
  private final Map<String, Long> recordsFirstSeen = new LinkedHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * Takes the first sample (the roles "at the fault") before it returns, then polls on its own
   * thread until closed.
   */
  RoundMonitor(LocalPair pair, Map<String, Long> qemuPids) {
    this.pair = pair;
    qemuPids.forEach((node, pid) -> qemus.put(node, ProcessIdentity.of(pid)));
    this.recordDirectory = pair.config().sharedDirectory().resolve(pair.config().vmId());
    for (String node : NODES) {
      NodeRole role = role(node).orElse(null);
      initialRoles.put(node, role);
      currentRoles.put(node, role);
    }
    poll();
    this.thread = new Thread(this::run, "round-monitor");
    thread.setDaemon(true);
    thread.start();
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
    try (DirectoryStream<Path> records = Files.newDirectoryStream(recordDirectory)) {
      for (Path record : records) {
        recordsFirstSeen.putIfAbsent(record.getFileName().toString(), now);
      }
    } catch (NoSuchFileException nothingClaimedYet) {
      // The arbiter creates the VM's directory with its first claim.
    } catch (IOException e) {
      log.debug("listing {}: {}", recordDirectory, e.getMessage());
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

  Path recordDirectory() {
    return recordDirectory;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join(2000);
    poll();
  }
}
