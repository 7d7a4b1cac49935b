package io.ftvm.supervisor.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ftvm stop}: talks to the supervisor found in the state directory. */
@Command(
    name = "stop",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = "Stop the supervisor and its VMs (QMP quit, then kill after a grace period).")
public final class StopCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Mixin StateDirOption stateDir;

  @Override
  public Integer call() {
    return NotImplementedYet.report(spec);
  }
}
