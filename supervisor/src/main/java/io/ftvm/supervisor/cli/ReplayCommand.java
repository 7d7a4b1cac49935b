package io.ftvm.supervisor.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftvm replay}: replay a recorded run and check it reproduces the recording. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description =
        "Replay a run bundle written by 'ftvm record' and verify determinism: the "
            + "console output and final disk digest must match the recording. Exits non-zero "
            + "on divergence.")
public final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Parameters(index = "0", paramLabel = "<bundle>", description = "Run bundle to replay.")
  Path bundle;

  @Mixin QemuOption qemu;

  @Override
  public Integer call() {
    return NotImplementedYet.report(spec);
  }
}
