package io.ftvm.supervisor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ftvm failover}: talks to the supervisor found in the state directory. */
@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = "Make the backup go live now (planned failover); the old primary is fenced.")
public final class FailoverCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Override
  public Integer call() {
    return NotImplementedYet.report(spec);
  }
}
