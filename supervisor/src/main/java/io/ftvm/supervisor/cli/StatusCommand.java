package io.ftvm.supervisor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ftvm status}: talks to the supervisor found in the state directory. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = "Show the role, epoch, replication lag and health of the running supervisor.")
public final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Override
  public Integer call() {
    return NotImplementedYet.report(spec);
  }
}
