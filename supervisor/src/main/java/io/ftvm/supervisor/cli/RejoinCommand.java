package io.ftvm.supervisor.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftvm rejoin b}: restart a killed node's daemon; it joins empty as the new backup. */
@Command(
    name = "rejoin",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Restart a killed node's daemon of a local pair (what systemd does on a real host). It"
          + " discards the node's old disk copy and log, offers itself on shared storage and is"
          + " cloned from the running primary, which then is protected again at a new epoch.",
      "Exit status: 0 when the daemon started and joins, 1 otherwise."
    })
public final class RejoinCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Parameters(index = "0", description = "The node whose daemon to restart (a or b).")
  String node;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try {
      long pid = NodeRestart.rejoin(PairStateDirectory.at(stateDir.stateDir()), node);
      out.println(
          node + ": daemon restarted (pid " + pid + "), joining empty; 'ftvm status' shows it");
      out.flush();
      return 0;
    } catch (IOException e) {
      return CliErrors.fail(spec, e.getMessage());
    }
  }
}
