package io.ftvm.supervisor.cli;

import io.ftvm.lock.SharedDirectoryArbiter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftvm lock}: the go-live arbiter's shared storage. */
@Command(
    name = "lock",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = "Shared storage of the go-live arbiter.",
    subcommands = {LockCommand.Init.class, CommandLine.HelpCommand.class})
public final class LockCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command (init)");
  }

  /** {@code ftvm lock init <dir>}: the same preparation {@code ftvm start --pair} does. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      versionProvider = FtvmVersionProvider.class,
      description = {
        "Prepare a directory on shared storage (normally the mount point of the NFS export"
            + " both hosts mount) as go-live storage: writes its marker file, idempotent. Nodes"
            + " refuse storage without the marker, so an unmounted share (an empty local"
            + " directory) can never let both hosts go live. Run once, on one host, with the"
            + " share mounted.",
        "Exit status: 0 prepared (or already), 1 failed."
      })
  public static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin LoggingMixin logging;

    @Parameters(
        index = "0",
        paramLabel = "<dir>",
        description = "The shared directory (must exist).")
    Path dir;

    @Override
    public Integer call() {
      try {
        boolean fresh = !Files.exists(dir.resolve(SharedDirectoryArbiter.MARKER_FILE));
        SharedDirectoryArbiter.initializeStorage(dir);
        spec.commandLine()
            .getOut()
            .println(
                (fresh ? "Prepared " : "Already prepared: ")
                    + dir.toAbsolutePath()
                    + " is go-live storage (marker "
                    + SharedDirectoryArbiter.MARKER_FILE
                    + "); mount it at the path in pair.json on both hosts.");
        spec.commandLine().getOut().flush();
        return ExitStatus.OK;
      } catch (IOException e) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("ftvm lock init: " + dir + ": " + e.getMessage());
        err.flush();
        return ExitStatus.FAILED;
      }
    }
  }
}
