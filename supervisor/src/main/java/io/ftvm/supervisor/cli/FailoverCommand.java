package io.ftvm.supervisor.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.topology.TopologyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ftvm failover}: planned switchover. The protected primary pauses its VM, waits until the
 * backup acknowledged every byte of log (so no held output is lost), hands off and halts; the
 * backup replays to the end and goes live.
 */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Planned failover: the protected primary pauses its VM, lets the backup acknowledge all"
          + " log, hands off and halts; the backup goes live (PRIMARY_ALONE). Prints the measured"
          + " switchover time.",
      "Exit status: 0 when the backup is live, 1 if there is no protected pair or the"
          + " switchover failed."
    })
public final class FailoverCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(FailoverCommand.class);
  private static final Duration POLL = Duration.ofMillis(10);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(2);

  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Option(
      names = "--timeout",
      paramLabel = "<duration>",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description =
          "How long to wait for the backup to go live after the handoff (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws Exception {
    try {
      return failOver();
    } catch (IOException | TopologyException | IllegalArgumentException e) {
      // Expected trouble (a missing file, a daemon that went away): a message, not a stack trace.
      return CliErrors.fail(spec, e.getMessage());
    }
  }

  private int failOver() throws Exception {
    PairStateDirectory directory = PairStateDirectory.at(stateDir.stateDir());
    if (!directory.holdsPair()) {
      return CliErrors.fail(spec, directory.noPairMessage());
    }
    List<NodeReport> nodes = directory.probe();
    if (nodes.size() == 1) {
      return handOffFromThisHost(directory, nodes.get(0));
    }
    Optional<NodeReport> primary =
        nodes.stream()
            .filter(n -> n.status().map(s -> s.role() == NodeRole.PRIMARY_PROTECTED).orElse(false))
            .findFirst();
    Optional<NodeReport> backup =
        nodes.stream()
            .filter(n -> n.status().map(s -> s.role() == NodeRole.BACKUP_REPLAYING).orElse(false))
            .findFirst();
    if (primary.isEmpty() || backup.isEmpty()) {
      return CliErrors.fail(
          spec,
          "no protected pair in "
              + directory.root()
              + " to fail over: "
              + describe(nodes)
              + "; failover needs one node PRIMARY_PROTECTED and the other BACKUP_REPLAYING");
    }
    Map<String, Path> dirs = directory.nodeDirectories();
    String from = primary.get().node();
    String to = backup.get().node();
    log.info("asking {} (PRIMARY_PROTECTED) to hand over to {} (BACKUP_REPLAYING)", from, to);
    long started = System.nanoTime();
    JsonNode reply;
    try {
      reply = directory.control(dirs.get(from)).request("failover");
    } catch (IOException e) {
      return CliErrors.fail(
          spec, "node " + from + " refused or failed the handoff: " + e.getMessage());
    }
    long handedOff = System.nanoTime();
    log.info(
        "{} halted after handoff ({}) in {} ms; waiting for {} to go live",
        from,
        reply.path("result").asText("?"),
        (handedOff - started) / 1_000_000,
        to);
    AtomicReference<NodeStatus> last = new AtomicReference<>();
    boolean live =
        new ProgressWait(log, POLL, REPORT_EVERY)
            .until(
                () -> {
                  NodeStatus status = directory.control(dirs.get(to)).status();
                  last.set(status);
                  if (status.role() == NodeRole.HALTED) {
                    throw new IOException(
                        "node " + to + " halted instead of going live: " + status.reason());
                  }
                  return status.role() == NodeRole.PRIMARY_ALONE;
                },
                timeout,
                () ->
                    "waiting for "
                        + to
                        + " to go live; it is "
                        + (last.get() == null ? "not answering" : last.get().role()));
    long wentLive = System.nanoTime();
    if (!live) {
      return CliErrors.fail(
          spec,
          "node "
              + to
              + " did not go live within "
              + timeout.toSeconds()
              + " s after the handoff; it is "
              + (last.get() == null ? "not answering" : last.get().role())
              + " (see "
              + dirs.get(to).resolve("supervisor.log")
              + ")");
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "failover done: %s is PRIMARY_ALONE (epoch %d), %s halted (%s)%n",
        to, last.get().epoch(), from, reply.path("result").asText("?"));
    out.printf(
        "switchover time: %d ms (handoff on %s: %d ms, go-live on %s: %d ms)%n",
        (wentLive - started) / 1_000_000,
        from,
        (handedOff - started) / 1_000_000,
        to,
        (wentLive - handedOff) / 1_000_000);
    out.flush();
    return 0;
  }

  /**
   * On a real host only this host's node is visible (its state directory): the primary hands off
   * and halts; the backup on the other host goes live, which only its own status can show.
   */
  private int handOffFromThisHost(PairStateDirectory directory, NodeReport node)
      throws IOException {
    boolean protectedPrimary =
        node.status().map(s -> s.role() == NodeRole.PRIMARY_PROTECTED).orElse(false);
    if (!protectedPrimary) {
      return CliErrors.fail(
          spec,
          "this host's node "
              + node.node()
              + " is "
              + node.describeRole()
              + "; run failover on the host of the PRIMARY_PROTECTED node");
    }
    long started = System.nanoTime();
    JsonNode reply;
    try {
      reply = directory.control(directory.nodeDirectories().get(node.node())).request("failover");
    } catch (IOException e) {
      return CliErrors.fail(spec, "the handoff was refused or failed: " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "handed off in %d ms (%s); this node halted, the backup goes live on its host (see its"
            + " ftvm status)%n",
        (System.nanoTime() - started) / 1_000_000, reply.path("result").asText("?"));
    out.flush();
    return 0;
  }

  static String describe(List<NodeReport> nodes) {
    return nodes.stream()
        .map(n -> n.node() + " is " + n.describeRole())
        .collect(Collectors.joining(", "));
  }
}
