package io.ftvm.supervisor.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftvm log inspect}: validate a replay log and summarise it. */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description =
        "Validate a replay log (raw QEMU rr file or run bundle) and print its header, "
            + "event counts by kind and instruction count; a corrupt or truncated log is "
            + "reported with the offset of the first bad event.")
public final class LogInspectCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Parameters(
      index = "0",
      paramLabel = "<bundle|log>",
      description = "Run bundle or raw replay log.")
  Path log;

  @Override
  public Integer call() {
    return NotImplementedYet.report(spec);
  }
}
