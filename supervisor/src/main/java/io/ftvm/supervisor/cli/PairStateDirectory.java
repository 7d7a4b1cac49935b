package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.ControlClient;
import io.ftvm.supervisor.pair.PairConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The admin commands' view of a state directory. Two layouts are understood: a pair's directory
 * ({@code pair.json}, one subdirectory per node; what {@code ftvm start --pair} writes) and one
 * node's own directory on a real host (its {@code control.sock} and {@code role} file directly
 * inside).
 */
final class PairStateDirectory {
  static final String PAIR_CONFIG = "pair.json";
  static final String LOCAL_PAIR = "local-pair.json";
  private static final String CONTROL_SOCKET = "control.sock";
  private static final String ROLE_FILE = "role";

  private final Path root;

  private PairStateDirectory(Path root) {
    this.root = root;
  }

  static PairStateDirectory at(Path root) {
    return new PairStateDirectory(root.toAbsolutePath().normalize());
  }

  Path root() {
    return root;
  }

  Path pairConfigFile() {
    return root.resolve(PAIR_CONFIG);
  }

  Path localPairFile() {
    return root.resolve(LOCAL_PAIR);
  }

  private boolean isSingleNode() {
    return !Files.exists(pairConfigFile())
        && (Files.exists(root.resolve(CONTROL_SOCKET)) || Files.exists(root.resolve(ROLE_FILE)));
  }

  /** Whether there is anything here the admin commands can talk about. */
  boolean holdsPair() {
    return Files.exists(pairConfigFile()) || isSingleNode();
  }

  /** Explains the absence of a pair, naming the directory and how to get one. */
  String noPairMessage() {
    return "no pair in "
        + root
        + " (no "
        + PAIR_CONFIG
        + " and no node "
        + CONTROL_SOCKET
        + "); start one with 'ftvm start --pair --state-dir "
        + root
        + "' or pass the --state-dir of a running pair";
  }

  Optional<PairConfig> config() throws IOException {
    if (!Files.exists(pairConfigFile())) {
      return Optional.empty();
    }
    try {
      return Optional.of(PairConfig.read(pairConfigFile()));
    } catch (IOException e) {
      throw new IOException("cannot read " + pairConfigFile() + ": " + e.getMessage(), e);
    }
  }

  Optional<LocalPairRecord> localPair() throws IOException {
    return Files.exists(localPairFile())
        ? Optional.of(LocalPairRecord.read(localPairFile()))
        : Optional.empty();
  }

  /** Node id → its state directory, in node order. */
  Map<String, Path> nodeDirectories() throws IOException {
    Map<String, Path> nodes = new TreeMap<>();
    Optional<PairConfig> config = config();
    if (config.isPresent()) {
      PairConfig pair = config.get();
      pair.allNodeIds().forEach(id -> nodes.put(id, pair.node(id).stateDirectory()));
    } else if (isSingleNode()) {
      nodes.put(root.getFileName() == null ? "node" : root.getFileName().toString(), root);
    }
    return nodes;
  }

  List<PairDaemon> recordedDaemons() throws IOException {
    List<PairDaemon> daemons = new ArrayList<>();
    Optional<LocalPairRecord> record = localPair();
    if (record.isPresent()) {
      record
          .get()
          .daemonPids()
          .forEach((node, pid) -> daemons.add(new PairDaemon(node, pid, pairConfigFile())));
    }
    return daemons;
  }

  ControlClient control(Path nodeDirectory) {
    return new ControlClient(nodeDirectory.resolve(CONTROL_SOCKET));
  }

  /** Asks each node's daemon for its status; a daemon that does not answer is still reported. */
  List<NodeReport> probe() throws IOException {
    Map<String, PairDaemon> daemons = new TreeMap<>();
    recordedDaemons().forEach(d -> daemons.put(d.node(), d));
    List<NodeReport> reports = new ArrayList<>();
    for (Map.Entry<String, Path> node : nodeDirectories().entrySet()) {
      reports.add(probe(node.getKey(), node.getValue(), daemons.get(node.getKey())));
    }
    return reports;
  }

  private NodeReport probe(String node, Path directory, PairDaemon daemon) {
    try {
      return NodeReport.answered(node, control(directory).status());
    } catch (IOException e) {
      boolean alive = daemon != null && daemon.running().isPresent();
      String why =
          alive
              ? "daemon pid " + daemon.pid() + " not answering: " + e.getMessage()
              : "daemon not running";
      return NodeReport.silent(node, roleLine(directory), why);
    }
  }

  private static String roleLine(Path directory) {
    try {
      return Files.readString(directory.resolve(ROLE_FILE)).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
