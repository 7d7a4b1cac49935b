package io.ftvm.supervisor.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: where a pair keeps its config, control sockets, logs and status. */
public final class StateDirOption {
  @Option(
      names = "--state-dir",
      paramLabel = "<dir>",
      defaultValue = "${env:FTVM_STATE_DIR:-ftvm-data}",
      description =
          "Pair state directory (pair.json, one subdirectory per node with its control socket,"
              + " replay log, console and supervisor log). Default: $FTVM_STATE_DIR, else"
              + " ./ftvm-data. Current: ${DEFAULT-VALUE}.")
  Path stateDir;

  /** Absolute, so that what the commands print can be pasted anywhere. */
  public Path stateDir() {
    return stateDir.toAbsolutePath().normalize();
  }
}
