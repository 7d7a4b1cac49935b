package io.ftvm.supervisor.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --state-dir}: where a running supervisor keeps its control socket, logs and status. */
public final class StateDirOption {
  @Option(
      names = "--state-dir",
      paramLabel = "<dir>",
      defaultValue = "${env:FTVM_STATE_DIR:-/var/lib/ftvm}",
      description =
          "Supervisor state directory (control socket, replay logs, status). Default:"
              + " $FTVM_STATE_DIR, else ${DEFAULT-VALUE}.")
  Path stateDir;

  public Path stateDir() {
    return stateDir;
  }
}
