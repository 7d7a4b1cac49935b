package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.topology.ProcessIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A node's supervisor daemon as recorded by pid. A pid alone may have been reused by an unrelated
 * process since, so the daemon counts as running only if that process's command line is an {@code
 * ftvm daemon} for this very pair config.
 */
record PairDaemon(String node, long pid, Path pairConfig) {

  /** The running daemon's identity, empty if it has exited (or the pid now is someone else). */
  Optional<ProcessIdentity> running() {
    Optional<ProcessIdentity> process = ProcessIdentity.of(pid);
    if (process.isEmpty()) {
      return Optional.empty();
    }
    return isOurDaemon(commandLine(pid)) ? process : Optional.empty();
  }

  boolean isOurDaemon(String commandLine) {
    return commandLine.contains(" daemon ") && commandLine.contains(pairConfig.toString());
  }

  private static String commandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ');
    } catch (IOException e) {
      return "";
    }
  }
}
