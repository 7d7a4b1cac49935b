package io.ftvm.supervisor.topology;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills what runs in a namespace and deletes it. Shared by destroy, by rollback of a half-made
 * topology and by the reaper, so all three leave the same nothing behind.
 */
final class NamespaceTeardown {
  private static final Logger log = LoggerFactory.getLogger(NamespaceTeardown.class);
  private static final int KILL_ROUNDS = 5;
  private static final Duration DEATH_TIMEOUT = Duration.ofSeconds(5);
  private static final long POLL_MILLIS = 20;

  private final IpNetns netns;

  NamespaceTeardown(IpNetns netns) {
    this.netns = netns;
  }

  /**
   * SIGKILLs every process in the namespace and waits until none is left. Processes may fork while
   * being killed, so this repeats until a listing comes back empty.
   *
   * @return what was killed
   * @throws TopologyException if processes survive several rounds
   */
  List<KilledProcess> killAll(String namespace) {
    List<KilledProcess> killed = new ArrayList<>();
    for (int round = 0; round < KILL_ROUNDS; round++) {
      List<Long> pids = new ArrayList<>(netns.pids(namespace));
      pids.remove(ProcessHandle.current().pid());
      if (pids.isEmpty()) {
        return killed;
      }
      Set<Long> signalled = new HashSet<>();
      for (long pid : pids) {
        if (pid == ProcessHandle.current().pid()) {
          // A supervisor running inside its own host namespace must not shoot itself while
          // tearing the host down; deleting the namespace does not need it gone.
          log.warn("not killing this JVM (pid {}), which runs in namespace {}", pid, namespace);
          continue;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty()) {
          continue;
        }
        String command = handle.get().info().commandLine().orElse("?");
        if (handle.get().destroyForcibly()) {
          log.info("killed pid {} in namespace {}: {}", pid, namespace, command);
          killed.add(new KilledProcess(pid, command));
          signalled.add(pid);
        }
      }
      awaitDeath(signalled);
    }
    List<Long> survivors = new ArrayList<>(netns.pids(namespace));
    survivors.remove(ProcessHandle.current().pid());
    if (!survivors.isEmpty()) {
      throw new TopologyException(
          "processes " + survivors + " in namespace " + namespace + " survived SIGKILL");
    }
    return killed;
  }

  /**
   * Kills the processes of each existing namespace and deletes it; namespaces already gone are
   * skipped. Tries every namespace even if one fails.
   *
   * @return one line per namespace that could not be removed; empty on success
   */
  List<String> remove(List<String> namespaces) {
    List<String> failures = new ArrayList<>();
    List<String> existing;
    try {
      existing = netns.list();
    } catch (TopologyException e) {
      return List.of("cannot list namespaces: " + e.getMessage());
    }
    for (String namespace : namespaces) {
      if (!existing.contains(namespace)) {
        log.debug("namespace {} is already gone", namespace);
        continue;
      }
      try {
        List<KilledProcess> killed = killAll(namespace);
        if (!killed.isEmpty()) {
          log.warn("namespace {} still had processes; killed {}", namespace, killed);
        }
        netns.delete(namespace);
      } catch (TopologyException e) {
        failures.add(namespace + ": " + e.getMessage());
      }
    }
    return failures;
  }

  /** Waits until each pid is gone or a zombie; either way it no longer holds the namespace. */
  private static void awaitDeath(Set<Long> pids) {
    Instant deadline = Instant.now().plus(DEATH_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      if (pids.stream().allMatch(pid -> ProcessIdentity.of(pid).isEmpty())) {
        return;
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new TopologyException("interrupted while waiting for killed processes to die", e);
      }
    }
  }
}
