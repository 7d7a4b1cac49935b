package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.LocalPair;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Restarts a killed node's daemon of a pair {@code ftvm start --pair} started, as systemd would on
 * a real host: in the node's namespace, joining empty ({@code --join}). The namespace must still
 * exist (a killed host's namespace does; a pair that was stopped has none).
 */
final class NodeRestart {
  private NodeRestart() {}

  /**
   * @return the new daemon's pid
   */
  static long rejoin(PairStateDirectory directory, String node) throws IOException {
    LocalPairRecord record =
        directory
            .localPair()
            .orElseThrow(
                () ->
                    new IOException(
                        "no pair started by 'ftvm start --pair' in " + directory.root()));
    if (!directory.nodeDirectories().containsKey(node)) {
      throw new IOException(
          "node '" + node + "' is not in the pair (nodes: " + directory.nodeDirectories().keySet());
    }
    Long pid = record.daemonPids().get(node);
    if (pid != null
        && new PairDaemon(node, pid, directory.pairConfigFile()).running().isPresent()) {
      throw new IOException("node " + node + "'s daemon still runs (pid " + pid + ")");
    }
    String namespace = "ftvm-" + record.pairId() + "-" + node;
    if (!record.namespaces().contains(namespace)
        || !Files.exists(Path.of("/run/netns", namespace))) {
      throw new IOException(
          "host " + node + " (namespace " + namespace + ") is gone; stop and start the pair again");
    }
    Path nodeDirectory = directory.nodeDirectories().get(node);
    Files.deleteIfExists(nodeDirectory.resolve("role")); // the dead daemon's would answer for it
    List<String> command =
        LocalPair.daemonCommand(namespace, directory.pairConfigFile(), node, "--join");
    Process daemon =
        LocalPair.DaemonLauncher.detached()
            .launch(command, nodeDirectory.resolve("supervisor.log"));
    Map<String, Long> pids = new TreeMap<>(record.daemonPids());
    pids.put(node, daemon.pid());
    io.ftvm.supervisor.pair.PairConfig.mapper()
        .writeValue(
            directory.localPairFile().toFile(),
            Map.of(
                "pairId", record.pairId(),
                "namespaces", record.namespaces(),
                "daemonPids", pids));
    return daemon.pid();
  }
}
