package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.recording.BadInputException;
import io.ftvm.supervisor.recording.RecordingFailedException;
import io.ftvm.supervisor.recording.ReplayRequest;
import io.ftvm.supervisor.recording.ReplayVerdict;
import io.ftvm.supervisor.recording.Replayer;
import io.ftvm.supervisor.recording.VmLocator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ftvm replay}: replay a recorded run and check it reproduces the recording. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Replay a run bundle written by 'ftvm record' on a fresh copy of the recorded disk and"
          + " verify determinism: the console output and final disk digest must match the"
          + " recording. The kernel, initrd and initial disk must be byte-identical to the"
          + " recorded ones (checked by sha256 before QEMU starts).",
      "Exit status: 0 identical, 1 diverged (first differing console line is printed) or QEMU"
          + " failed, 2 bad input (not a bundle, corrupt/truncated/foreign log, other VM files)."
    })
public final class ReplayCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Parameters(index = "0", paramLabel = "<bundle>", description = "Run bundle to replay.")
  Path bundle;

  @Mixin QemuOption qemu;

  @Option(
      names = "--keep-going",
      description =
          "Replay to the end after the console diverged, so the disk is compared too"
              + " (default: stop at the first wrong console line).")
  boolean keepGoing;

  @Option(
      names = "--vm",
      paramLabel = "<test-vm|dir|vm.json>",
      description =
          "Take kernel, initrd and disk from here instead of the recorded paths (their sha256"
              + " must still match the recording).")
  String vm;

  @Option(
      names = "--timeout",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Give up after this long. Default: 300 s + 6 x the recorded seconds.")
  Duration timeout;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try (ChildProcessLauncher launcher = new ChildProcessLauncher()) {
      ReplayRequest request =
          new ReplayRequest(
              bundle,
              qemu.patchedQemu(),
              vm == null ? Optional.empty() : Optional.of(VmLocator.fromSystem().locate(vm)),
              keepGoing,
              Optional.ofNullable(timeout));
      Replayer replayer =
          new Replayer(
              new QemuDriver(launcher),
              line -> {
                err.println("ftvm replay: " + line);
                err.flush();
              });
      ReplayVerdict verdict = replayer.replay(request);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.print(verdict.describe());
      stdout.flush();
      return verdict.identical() ? ExitStatus.OK : ExitStatus.FAILED;
    } catch (BadInputException e) {
      return fail(ExitStatus.BAD_INPUT, e.getMessage());
    } catch (RecordingFailedException | IOException e) {
      return fail(ExitStatus.FAILED, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ExitStatus.FAILED, "interrupted");
    }
  }

  private int fail(int status, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("ftvm replay: " + message);
    err.flush();
    return status;
  }
}
