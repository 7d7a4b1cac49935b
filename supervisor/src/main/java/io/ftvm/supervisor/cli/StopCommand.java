package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.ControlClient;
import io.ftvm.supervisor.pair.GuestDescriptions;
import io.ftvm.supervisor.pair.NodeFiles;
import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.topology.PairTopology;
import io.ftvm.supervisor.topology.ProcessIdentity;
import io.ftvm.supervisor.topology.TopologyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ftvm stop}: asks both daemons to stop (each halts its QEMU), waits for them to exit, kills
 * a daemon that does not (by its recorded pid), then removes a local pair's network namespaces. The
 * state directory (logs, consoles, role files) is kept. Stopping a stopped pair is a no-op.
 */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Stop the pair: ask both daemons to stop (each halts its QEMU), wait for them to exit"
          + " (SIGKILL after 15 s), then remove the pair's network namespaces. Logs and consoles"
          + " stay in the state directory. Safe to repeat.",
      "Exit status: 0 when nothing of the pair runs any more, 1 if something could not be"
          + " removed."
    })
public final class StopCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(StopCommand.class);
  static final Duration EXIT_GRACE = Duration.ofSeconds(15);
  private static final Duration POLL = Duration.ofMillis(50);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(3);

  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Option(
      names = "--config",
      paramLabel = "<file>",
      description =
          "Stop only this host's node of a pair on real hosts (with --node): ask its daemon to"
              + " stop and wait until it has exited. What the systemd unit's ExecStop runs.")
  Path config;

  @Option(names = "--node", paramLabel = "<id>", description = "With --config: this host's node.")
  String node;

  @Override
  public Integer call() throws Exception {
    try {
      if (config != null || node != null) {
        return stopThisHostsNode();
      }
      return stopPair();
    } catch (IOException | TopologyException | IllegalArgumentException e) {
      // Expected trouble (a missing file, a daemon that went away): a message, not a stack trace.
      return CliErrors.fail(spec, e.getMessage());
    }
  }

  /**
   * One node on a real host: the daemon halts (gates closed, QEMU killed and awaited), answers no
   * more and exits. Its peer, if it runs, goes on alone. A daemon that is not running is a no-op.
   */
  private int stopThisHostsNode() throws Exception {
    if (config == null || node == null) {
      return CliErrors.fail(spec, "--config and --node go together (this host's node of a pair)");
    }
    PairConfig pair = GuestDescriptions.read(config);
    if (!pair.knows(node)) {
      return CliErrors.fail(spec, "node '" + node + "' is not in " + config);
    }
    ControlClient control =
        new ControlClient(
            new NodeFiles(pair.node(node).stateDirectory().toAbsolutePath(), pair.epoch())
                .controlSocket());
    PrintWriter out = spec.commandLine().getOut();
    try {
      control.request("stop");
    } catch (IOException e) {
      out.println(node + ": daemon not running or not answering (" + e.getMessage() + ")");
      out.flush();
      return 0;
    }
    out.println(node + ": stop requested");
    out.flush();
    boolean exited =
        new ProgressWait(log, POLL, REPORT_EVERY)
            .until(
                () -> !answers(control),
                EXIT_GRACE,
                () -> "waiting for node " + node + "'s daemon to halt and exit");
    out.println(
        node
            + (exited
                ? ": stopped"
                : ": still answering after " + EXIT_GRACE.toSeconds() + " s (not killed)"));
    out.flush();
    return exited ? 0 : CliErrors.FAILURE;
  }

  private static boolean answers(ControlClient control) {
    try {
      control.status();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private int stopPair() throws Exception {
    PairStateDirectory directory = PairStateDirectory.at(stateDir.stateDir());
    PrintWriter out = spec.commandLine().getOut();
    Optional<LocalPairRecord> local = directory.localPair();
    if (!directory.holdsPair() && local.isEmpty()) {
      out.println("nothing to stop: " + directory.noPairMessage());
      out.flush();
      return 0;
    }
    for (Map.Entry<String, Path> node : directory.nodeDirectories().entrySet()) {
      try {
        directory.control(node.getValue()).request("stop");
        out.println(node.getKey() + ": stop requested");
      } catch (IOException e) {
        // Either nobody listens, or the daemon answered with an error (e.g. it already halted).
        out.println(node.getKey() + ": stop not acknowledged (" + e.getMessage() + ")");
      }
    }
    out.flush();
    for (PairDaemon daemon : directory.recordedDaemons()) {
      awaitExit(daemon, out);
    }
    if (local.isPresent()) {
      String pairId = local.get().pairId();
      try {
        boolean removed = PairTopology.destroyExisting(pairId);
        out.println(
            removed
                ? "removed network namespaces " + String.join(", ", local.get().namespaces())
                : "network namespaces of pair " + pairId + " were already gone");
      } catch (TopologyException e) {
        out.flush();
        return CliErrors.fail(spec, "cannot remove pair " + pairId + ": " + e.getMessage());
      }
    }
    out.println(
        "stopped"
            + local.map(l -> " pair " + l.pairId()).orElse("")
            + "; logs and consoles are kept in "
            + directory.root());
    out.flush();
    return 0;
  }

  private void awaitExit(PairDaemon daemon, PrintWriter out) throws Exception {
    Optional<ProcessIdentity> process = daemon.running();
    if (process.isEmpty()) {
      out.println(daemon.node() + ": daemon pid " + daemon.pid() + " is not running");
      return;
    }
    boolean exited =
        new ProgressWait(log, POLL, REPORT_EVERY)
            .until(
                () -> !process.get().isAlive(),
                EXIT_GRACE,
                () ->
                    "waiting for daemon " + daemon.node() + " (pid " + daemon.pid() + ") to exit");
    if (exited) {
      out.println(daemon.node() + ": daemon pid " + daemon.pid() + " exited");
      return;
    }
    // Same pid and start time as checked above, so this cannot hit a recycled pid.
    Optional<ProcessHandle> handle = ProcessHandle.of(daemon.pid());
    if (handle.isPresent() && process.get().isAlive()) {
      handle.get().destroyForcibly();
      boolean dead =
          new ProgressWait(log, POLL, REPORT_EVERY)
              .until(() -> !process.get().isAlive(), Duration.ofSeconds(5), () -> "after SIGKILL");
      out.println(
          daemon.node()
              + ": daemon pid "
              + daemon.pid()
              + " did not exit within "
              + EXIT_GRACE.toSeconds()
              + " s; "
              + (dead ? "killed" : "SIGKILL sent but it still runs"));
    }
    out.flush();
  }
}
