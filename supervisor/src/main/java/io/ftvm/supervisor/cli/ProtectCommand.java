package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.pair.ReprotectStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ftvm protect}: makes an alone primary protected again. On a local pair it first restarts
 * the other node's daemon if it does not run (it joins empty), then asks the primary to re-protect
 * now (no waiting out a retry backoff) and prints the clone's progress until the pair is protected
 * or the attempt failed.
 */
@Command(
    name = "protect",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Re-protect a primary that runs alone (after a failover, or started with --unprotected):"
          + " clone the running VM to the other node (which joins empty) and pair them at a new"
          + " epoch. Prints phase, bytes copied, rate and ETA while it copies.",
      "Exit status: 0 when protected, 1 if it failed or did not finish in --timeout."
    })
public final class ProtectCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(500);

  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Option(
      names = "--timeout",
      defaultValue = "15m",
      converter = DurationConverter.class,
      description = "Give up waiting after this long (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PairStateDirectory directory = PairStateDirectory.at(stateDir.stateDir());
    try {
      Map<String, Path> nodes = directory.nodeDirectories();
      Optional<NodeReport> primary =
          directory.probe().stream()
              .filter(
                  n ->
                      n.status()
                          .map(
                              s ->
                                  s.role() == NodeRole.PRIMARY_ALONE
                                      || s.role() == NodeRole.REPROTECTING
                                      || s.role() == NodeRole.PRIMARY_PROTECTED)
                          .orElse(false))
              .findFirst();
      if (primary.isEmpty()) {
        return CliErrors.fail(spec, "no running primary in " + directory.root());
      }
      NodeStatus before = primary.get().status().orElseThrow();
      if (before.role() == NodeRole.PRIMARY_PROTECTED) {
        out.println("already protected at epoch " + before.epoch());
        out.flush();
        return 0;
      }
      String primaryNode = primary.get().node();
      String other =
          nodes.keySet().stream().filter(n -> !n.equals(primaryNode)).findFirst().orElseThrow();
      Optional<NodeReport> otherReport =
          directory.probe().stream().filter(n -> n.node().equals(other)).findFirst();
      if (directory.localPair().isPresent()
          && otherReport.map(r -> r.status().isEmpty()).orElse(true)) {
        long pid = NodeRestart.rejoin(directory, other);
        out.println(other + ": daemon started (pid " + pid + "), joining empty");
      }
      int failuresBefore =
          Optional.ofNullable(before.reprotect())
              .map(ReprotectStatus::consecutiveFailures)
              .orElse(0);
      Path primaryDir = nodes.get(primaryNode);
      return follow(directory, primaryDir, before.epoch(), failuresBefore, out);
    } catch (IOException e) {
      return CliErrors.fail(spec, e.getMessage());
    }
  }

  private int follow(
      PairStateDirectory directory,
      Path primaryDir,
      long epochBefore,
      int failuresBefore,
      PrintWriter out)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastLine = "";
    long nextAsk = 0;
    while (System.nanoTime() - deadline < 0) {
      if (System.nanoTime() - nextAsk >= 0) {
        // Asking again is harmless: it starts an attempt only when a new offer is there.
        String answer = directory.control(primaryDir).request("protect").path("result").asText();
        print(out, answer, lastLine);
        lastLine = answer;
        nextAsk = System.nanoTime() + Duration.ofSeconds(2).toNanos();
      }
      NodeStatus status = directory.control(primaryDir).status();
      ReprotectStatus reprotect = status.reprotect();
      String line =
          status.role()
              + (reprotect != null && !reprotect.summary().isEmpty()
                  ? ": " + reprotect.summary()
                  : ": " + status.reason());
      print(out, line, lastLine);
      lastLine = line;
      if (status.role() == NodeRole.PRIMARY_PROTECTED
          && status.epoch() > epochBefore
          && status.reason().contains("within the replay bound")) {
        out.println(
            "protected at epoch "
                + status.epoch()
                + (reprotect != null
                    ? " (pause "
                        + reprotect.lastPauseMillis()
                        + " ms, took "
                        + reprotect.lastDurationMillis()
                        + " ms)"
                    : ""));
        out.flush();
        return 0;
      }
      if (status.role() == NodeRole.HALTED
          || (reprotect != null && reprotect.consecutiveFailures() > failuresBefore)) {
        out.flush();
        return CliErrors.fail(
            spec,
            "re-protection failed: "
                + (reprotect != null ? reprotect.lastFailure() : status.reason())
                + " (the VM runs on alone; it retries on its own)");
      }
      Thread.sleep(POLL.toMillis());
    }
    out.flush();
    return CliErrors.fail(spec, "not protected within " + timeout.toSeconds() + " s");
  }

  private static void print(PrintWriter out, String line, String last) {
    if (!line.equals(last)) {
      out.println(line);
      out.flush();
    }
  }
}
