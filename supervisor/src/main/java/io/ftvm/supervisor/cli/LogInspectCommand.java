package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.recording.BadInputException;
import io.ftvm.supervisor.recording.LogInspector;
import java.io.PrintWriter;
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
    description = {
      "Validate a replay log (raw QEMU rr file or run bundle) and print its header, "
          + "event counts and bytes by kind, instruction count, duration and rates; for a bundle"
          + " also the manifest. A corrupt or truncated log is reported with the offset of the"
          + " first bad event.",
      "Exit status: 0 valid, 2 bad input."
    })
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
    try {
      String report = new LogInspector().inspect(log);
      PrintWriter out = spec.commandLine().getOut();
      out.print(report);
      out.flush();
      return ExitStatus.OK;
    } catch (BadInputException e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("ftvm log inspect: " + e.getMessage());
      err.flush();
      return ExitStatus.BAD_INPUT;
    }
  }
}
