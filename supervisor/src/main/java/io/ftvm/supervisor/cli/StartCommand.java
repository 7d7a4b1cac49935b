package io.ftvm.supervisor.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ftvm start}: run a VM under supervision, alone or as a fault-tolerant pair. */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description =
        "Start the supervisor for a VM. With --pair, run a primary (recording) and a "
            + "backup (replaying live) and fail over to the backup when the primary is lost.")
public final class StartCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Option(names = "--pair", description = "Run a primary/backup pair (default: single VM).")
  boolean pair;

  @Option(
      names = "--config",
      paramLabel = "<file>",
      description = "Pair configuration: peers, logging channel, shared storage, fencing.")
  Path config;

  @Option(
      names = "--vm",
      paramLabel = "<test-vm|vm.json>",
      defaultValue = "test-vm",
      description = "The built-in test VM, or a vm.json. Default: ${DEFAULT-VALUE}.")
  String vm;

  @Option(
      names = "--workload",
      defaultValue = "idle",
      description = "Guest workload: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Workload workload;

  @Mixin StateDirOption stateDir;

  @Option(
      names = "--detection-timeout",
      paramLabel = "<duration>",
      defaultValue = "PT0.5S",
      converter = DurationConverter.class,
      description =
          "Declare the peer lost after this long without heartbeats or log traffic"
              + " (e.g. 500ms, 2s). Default: 500ms.")
  Duration detectionTimeout;

  @Option(
      names = "--shared-dir",
      paramLabel = "<dir>",
      description = "Shared storage directory holding the go-live records (needed to fail over).")
  Path sharedDir;

  @Override
  public Integer call() {
    return NotImplementedYet.report(spec);
  }
}
