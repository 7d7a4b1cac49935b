package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.recording.BadInputException;
import io.ftvm.supervisor.recording.ManifestFactory;
import io.ftvm.supervisor.recording.RecordRequest;
import io.ftvm.supervisor.recording.Recorder;
import io.ftvm.supervisor.recording.RecordingFailedException;
import io.ftvm.supervisor.recording.RecordingResult;
import io.ftvm.supervisor.recording.VmLocator;
import io.ftvm.supervisor.recording.WorkloadTraffic;
import io.ftvm.supervisor.topology.NetnsCommand;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ftvm record}: run a VM once in record mode and keep its replay log as a run bundle. */
@Command(
    name = "record",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Boot a copy of a VM in QEMU record mode, run a workload for N seconds after the guest"
          + " printed its ready line, then quit QEMU so it finishes the log, and save replay log,"
          + " console output and disk digests as a run bundle (replayable with 'ftvm replay').",
      "For the net and all workloads the guest's NIC is wired to a private network namespace"
          + " whose client keeps using the guest's echo, kv and counter services, so the log"
          + " holds network input from outside the VM (needs root).",
      "Exit status: 0 recorded, 1 QEMU or the environment failed, 2 bad input."
    })
public final class RecordCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Option(
      names = "--vm",
      paramLabel = "<test-vm|dir|vm.json>",
      defaultValue = VmLocator.BUILT_IN,
      description =
          "The built-in test VM (-Dftvm.testvm, $FTVM_TESTVM, else the newest build in"
              + " ~/.cache/ftvm), or a VM directory / vm.json. Default: ${DEFAULT-VALUE}.")
  String vm;

  @Option(
      names = "--workload",
      defaultValue = "idle",
      description = "Guest workload: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Workload workload;

  @Option(
      names = "--seconds",
      defaultValue = "30",
      paramLabel = "N",
      description =
          "Wall time to record after the guest's ready line (boot comes on top)."
              + " Default: ${DEFAULT-VALUE}.")
  int seconds;

  @Option(
      names = "--out",
      defaultValue = "run.ftlog",
      paramLabel = "<bundle>",
      description = "Run bundle to write (replaced atomically). Default: ${DEFAULT-VALUE}.")
  Path out;

  @Option(
      names = "--boot-timeout",
      defaultValue = "3m",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description = "Give up if the guest is not ready after this long. Default: 3m.")
  Duration bootTimeout;

  @Mixin QemuOption qemu;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    try (ChildProcessLauncher launcher = new ChildProcessLauncher()) {
      RecordRequest request =
          new RecordRequest(
              VmLocator.fromSystem().locate(vm),
              workload.name(),
              seconds,
              out,
              qemu.patchedQemu(),
              bootTimeout);
      Recorder recorder =
          new Recorder(
              new QemuDriver(launcher),
              new WorkloadTraffic(new NetnsCommand(), launcher),
              new ManifestFactory(FtvmVersionProvider.ftvmVersion(), Clock.systemUTC()),
              line -> {
                err.println("ftvm record: " + line);
                err.flush();
              });
      RecordingResult result = recorder.record(request);
      PrintWriter stdout = spec.commandLine().getOut();
      stdout.println(report(result));
      stdout.flush();
      return ExitStatus.OK;
    } catch (BadInputException e) {
      return fail(ExitStatus.BAD_INPUT, e.getMessage());
    } catch (RecordingFailedException | IOException e) {
      return fail(ExitStatus.FAILED, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail(ExitStatus.FAILED, "interrupted");
    }
  }

  static String report(RecordingResult result) {
    var stats = result.logStats();
    double seconds = result.manifest().recordedSeconds();
    return String.format(
        Locale.ROOT,
        "bundle      : %s (%,d bytes)%n"
            + "workload    : %s, recorded %.1f s after a %.1f s boot (total %.1f s)%n"
            + "replay log  : %,d bytes, %,d events, %,d instructions%n"
            + "log rate    : %,.0f bytes/s over the whole run%n"
            + "disk sha256 : %s -> %s%n"
            + "%s",
        result.bundle(),
        result.bundleBytes(),
        result.manifest().vm().workload(),
        seconds,
        result.bootTime().toMillis() / 1000.0,
        result.totalTime().toMillis() / 1000.0,
        stats.bytesSeen(),
        stats.events(),
        stats.instructions(),
        stats.bytesSeen() / Math.max(0.001, result.totalTime().toMillis() / 1000.0),
        result.manifest().initialDiskSha256(),
        result.manifest().finalDiskSha256(),
        result.trafficSummary());
  }

  private int fail(int status, String message) {
    PrintWriter err = spec.commandLine().getErr();
    err.println("ftvm record: " + message);
    err.flush();
    return status;
  }
}
