package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.ReplicaDigest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ftvm vm digest}: the replica digest a pair compares at start, so an admin can check two
 * hosts' copies before starting (the same value the primary sends the backup).
 */
@Command(
    name = "digest",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Print the replica digest of disk images (in the guest's disk order), as a pair compares"
          + " them at start; holes are not read. Equal output on both hosts: the replicas match.",
      "Exit status: 0 printed, 1 an image could not be read."
    })
public final class VmDigestCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Parameters(paramLabel = "<image>", arity = "1..*", description = "Disk images, in order.")
  List<Path> images;

  @Override
  public Integer call() {
    try {
      ReplicaDigest digest = ReplicaDigest.of(images);
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%s  (%d ms)%n", digest.hex(), digest.millis());
      out.flush();
      return ExitStatus.OK;
    } catch (IOException e) {
      return CliErrors.fail(spec, e.getMessage());
    }
  }
}
