package io.ftvm.supervisor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** Whether a state directory is still in use by a pair, so {@code ftvm start} must not reuse it. */
final class RunningPairCheck {
  /** Where {@code ip netns add} puts named namespaces. */
  private static final Path NAMED_NAMESPACES = Path.of("/run/netns");

  private RunningPairCheck() {}

  /**
   * @return why the directory is busy (with what to do about it), or null if it is free
   */
  static String whyBusy(PairStateDirectory directory) throws IOException {
    String stopHint = "; stop it first with 'ftvm stop --state-dir " + directory.root() + "'";
    Optional<LocalPairRecord> local;
    try {
      local = directory.localPair();
    } catch (IOException e) {
      return e.getMessage()
          + "; move it away or run 'ftvm stop --state-dir "
          + directory.root()
          + "'";
    }
    List<PairDaemon> running =
        directory.recordedDaemons().stream().filter(d -> d.running().isPresent()).toList();
    if (!running.isEmpty()) {
      return "a pair is already running in "
          + directory.root()
          + " (pair "
          + local.map(LocalPairRecord::pairId).orElse("?")
          + ", daemon "
          + running.stream()
              .map(d -> d.node() + " pid " + d.pid())
              .collect(Collectors.joining(", "))
          + ")"
          + stopHint;
    }
    if (directory.holdsPair()) {
      for (Map.Entry<String, Path> node : directory.nodeDirectories().entrySet()) {
        if (answers(directory, node.getValue())) {
          return "a supervisor for node "
              + node.getKey()
              + " is running in "
              + directory.root()
              + " (it answers on "
              + node.getValue().resolve("control.sock")
              + ")"
              + stopHint;
        }
      }
    }
    if (local.isPresent()) {
      List<String> left =
          local.get().namespaces().stream()
              .filter(ns -> Files.exists(NAMED_NAMESPACES.resolve(ns)))
              .toList();
      if (!left.isEmpty()) {
        return "network namespaces "
            + left
            + " of the previous pair "
            + local.get().pairId()
            + " are still there; remove them with 'ftvm stop --state-dir "
            + directory.root()
            + "'";
      }
    }
    return null;
  }

  private static boolean answers(PairStateDirectory directory, Path nodeDirectory) {
    try {
      directory.control(nodeDirectory).status();
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
