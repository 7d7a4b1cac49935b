package io.ftvm.supervisor.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.topology.TopologyException;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ftvm status}: asks every node of the pair in the state directory how it is doing. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Show each node's role, epoch, replication progress and lag, log rate, ack round trip,"
          + " output hold times and flow control. A node whose daemon is gone is shown with"
          + " the role it last recorded.",
      "Exit status: 0 if the pair was found (whatever its health), 1 if there is no pair in"
          + " the state directory."
    })
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Option(names = "--json", description = "Print machine-readable JSON (raw numbers) instead.")
  boolean json;

  @Option(
      names = "--watch",
      arity = "0..1",
      fallbackValue = "1s",
      paramLabel = "<interval>",
      converter = DurationConverter.class,
      description =
          "Refresh the table in place every <interval> (default 1s) until interrupted (Ctrl-C).")
  Duration watch;

  /** For tests and scripts: stop watching after this many refreshes (0: until interrupted). */
  @Option(names = "--watch-count", hidden = true, defaultValue = "0")
  int watchCount;

  /** ANSI: cursor home, clear screen. */
  static final String CLEAR_SCREEN = "\033[H\033[2J";

  @Override
  public Integer call() throws Exception {
    if (watch != null) {
      return watch();
    }
    try {
      return report();
    } catch (IOException | TopologyException | IllegalArgumentException e) {
      // Expected trouble (a missing file, a daemon that went away): a message, not a stack trace.
      return CliErrors.fail(spec, e.getMessage());
    }
  }

  private int watch() throws InterruptedException {
    if (json) {
      return CliErrors.fail(spec, "--watch shows the table; use --json without --watch in scripts");
    }
    PrintWriter out = spec.commandLine().getOut();
    for (int refresh = 1; watchCount == 0 || refresh <= watchCount; refresh++) {
      out.print(CLEAR_SCREEN);
      out.println(
          "every "
              + watch.toMillis()
              + " ms, "
              + LocalTime.now().truncatedTo(ChronoUnit.SECONDS)
              + " (Ctrl-C to stop)");
      out.flush();
      try {
        report();
      } catch (IOException | TopologyException | IllegalArgumentException e) {
        // A daemon restarting is what one watches for: say so and keep refreshing.
        out.println("status: " + e.getMessage());
        out.flush();
      }
      if (watchCount == 0 || refresh < watchCount) {
        Thread.sleep(watch.toMillis());
      }
    }
    return 0;
  }

  private int report() throws IOException {
    PairStateDirectory directory = PairStateDirectory.at(stateDir.stateDir());
    if (!directory.holdsPair()) {
      return CliErrors.fail(spec, directory.noPairMessage());
    }
    List<NodeReport> nodes = directory.probe();
    Optional<PairConfig> config = directory.config();
    Optional<LocalPairRecord> local = directory.localPair();
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(toJson(directory, config, local, nodes));
    } else {
      out.println(header(directory, config, local));
      out.println();
      out.print(StatusTable.render(nodes));
    }
    out.flush();
    return 0;
  }

  private static String header(
      PairStateDirectory directory, Optional<PairConfig> config, Optional<LocalPairRecord> local) {
    StringBuilder header = new StringBuilder();
    local.ifPresent(l -> header.append("pair ").append(l.pairId()).append("   "));
    config.ifPresent(c -> header.append("vm ").append(c.vmId()).append("   "));
    return header.append("state dir ").append(directory.root()).toString();
  }

  private static String toJson(
      PairStateDirectory directory,
      Optional<PairConfig> config,
      Optional<LocalPairRecord> local,
      List<NodeReport> nodes)
      throws IOException {
    var mapper = PairConfig.mapper();
    ObjectNode root = mapper.createObjectNode();
    root.put("stateDir", directory.root().toString());
    root.put("pairId", local.map(LocalPairRecord::pairId).orElse(null));
    root.put("vmId", config.map(PairConfig::vmId).orElse(null));
    ArrayNode array = root.putArray("nodes");
    for (NodeReport node : nodes) {
      ObjectNode entry = array.addObject();
      entry.put("node", node.node());
      entry.put("daemonRunning", node.status().isPresent());
      entry.put("role", node.role().map(Enum::name).orElse(null));
      entry.put("roleFile", node.roleLine());
      node.unreachable().ifPresent(why -> entry.put("unreachable", why));
      node.status()
          .ifPresent(
              s -> {
                ObjectNode status = mapper.valueToTree(s);
                status.put("unackedBytes", s.unackedBytes());
                entry.set("status", status);
              });
    }
    return mapper.writeValueAsString(root);
  }
}
