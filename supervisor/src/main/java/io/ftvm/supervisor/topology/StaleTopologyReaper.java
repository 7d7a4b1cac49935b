package io.ftvm.supervisor.topology;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes topologies whose owner died without destroying them (SIGKILL, crash, power loss of the
 * JVM but not the machine). A topology is removed only if its owner marker names a process that no
 * longer runs; a live owner's topology and namespaces without a readable marker are left alone.
 */
public final class StaleTopologyReaper {
  private static final Logger log = LoggerFactory.getLogger(StaleTopologyReaper.class);
  private static final Pattern MARKER_NAME = Pattern.compile("topology-([a-z0-9]{1,12})\\.pid");

  private final IpNetns netns;
  private final Path markerDirectory;

  /** A reaper for markers in {@code /run/ftvm}, running {@code ip} as child processes. */
  public StaleTopologyReaper() {
    this(new NetnsCommand(), TopologySpec.DEFAULT_MARKER_DIRECTORY);
  }

  public StaleTopologyReaper(CommandRunner runner, Path markerDirectory) {
    this.netns = new IpNetns(runner);
    this.markerDirectory = markerDirectory;
  }

  /**
   * Reaps every stale topology: those with a namespace {@code ftvm-ID-*} or a marker.
   *
   * @return the pair ids removed
   */
  public List<String> reapAll() {
    TreeSet<String> pairIds = new TreeSet<>();
    for (String namespace : netns.list()) {
      Matcher m = TopologySpec.NAMESPACE_PATTERN.matcher(namespace);
      if (m.matches()) {
        pairIds.add(m.group(1));
      }
    }
    pairIds.addAll(markedPairIds());
    List<String> reaped = new ArrayList<>();
    for (String pairId : pairIds) {
      try {
        if (reap(pairId)) {
          reaped.add(pairId);
        }
      } catch (TopologyException e) {
        log.warn("cannot reap topology {}: {}", pairId, e.getMessage());
      }
    }
    return reaped;
  }

  /**
   * Removes one topology if its owner is dead.
   *
   * @return true if it was stale and is now gone; false if its owner lives or ownership is unknown
   * @throws TopologyException if the marker is malformed or removal fails
   */
  public boolean reap(String pairId) {
    OwnerMarker marker = new OwnerMarker(TopologySpec.markerFile(markerDirectory, pairId));
    Optional<ProcessIdentity> owner = marker.owner();
    List<String> namespaces = TopologySpec.namespacesOf(pairId);
    if (owner.isEmpty()) {
      List<String> present = new ArrayList<>(netns.list());
      present.retainAll(namespaces);
      if (!present.isEmpty()) {
        log.warn(
            "namespaces {} have no owner marker {}; leaving them alone (remove with"
                + " 'ip netns delete NAME' if they are leftovers)",
            present,
            marker.file());
      }
      return false;
    }
    if (owner.get().isAlive()) {
      log.debug("topology {} is owned by live pid {}", pairId, owner.get().pid());
      return false;
    }
    log.info("reaping topology {} of dead pid {}", pairId, owner.get().pid());
    List<String> failures = new NamespaceTeardown(netns).remove(namespaces);
    if (!failures.isEmpty()) {
      throw new TopologyException(
          "stale topology " + pairId + " not fully removed: " + String.join("; ", failures));
    }
    marker.delete();
    return true;
  }

  private List<String> markedPairIds() {
    List<String> pairIds = new ArrayList<>();
    try (Stream<Path> files = Files.list(markerDirectory)) {
      files.forEach(
          file -> {
            Matcher m = MARKER_NAME.matcher(file.getFileName().toString());
            if (m.matches()) {
              pairIds.add(m.group(1));
            }
          });
    } catch (NoSuchFileException e) {
      return pairIds;
    } catch (IOException e) {
      throw new TopologyException(
          "cannot list owner markers in " + markerDirectory + ": " + e.getMessage(), e);
    }
    return pairIds;
  }
}
