package io.ftvm.supervisor.recording;

import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.LogStats;
import io.ftvm.replay.ReplayLogValidator;
import io.ftvm.replay.RunBundle;
import io.ftvm.supervisor.hypervisor.HypervisorDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.hypervisor.VmLaunchException;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.pair.NetdevConnection;
import io.ftvm.supervisor.qmp.QemuVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ftvm record}: boots a copy of the VM under {@code rr=record} into a regular file, waits
 * for the guest's ready line, lets the workload (and, for network workloads, the outside world) run
 * for the requested wall time, then asks QEMU to quit over QMP. A clean exit makes QEMU finish the
 * log (SHUTDOWN and END events, version in the header); the log, the console and the digests become
 * a {@link RunBundle}.
 */
public final class Recorder {
  private static final Logger log = LoggerFactory.getLogger(Recorder.class);
  private static final Duration QUIT_GRACE = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

  private final HypervisorDriver driver;
  private final TrafficDriverFactory trafficDrivers;
  private final ManifestFactory manifests;
  private final ProgressListener progress;

  public Recorder(
      HypervisorDriver driver,
      TrafficDriverFactory trafficDrivers,
      ManifestFactory manifests,
      ProgressListener progress) {
    this.driver = driver;
    this.trafficDrivers = trafficDrivers;
    this.manifests = manifests;
    this.progress = progress;
  }

  public RecordingResult record(RecordRequest request)
      throws BadInputException, RecordingFailedException, InterruptedException {
    request.validate();
    long started = System.nanoTime();
    try (WorkDirectory work = WorkDirectory.create("ftvm-record-")) {
      try {
        return record(request, work, started);
      } catch (RecordingFailedException | RuntimeException e) {
        work.keep();
        throw e;
      }
    } catch (IOException e) {
      throw new RecordingFailedException("recording failed: " + e.getMessage(), e);
    }
  }

  private RecordingResult record(RecordRequest request, WorkDirectory work, long started)
      throws IOException, RecordingFailedException, InterruptedException {
    VmDefinition vm = request.vm();
    GuestLaunch guest = GuestLaunch.of(vm, request.workload());
    List<Path> disks = WorkingDisks.copy(guest.pristineDisks(), work.path());
    Path disk = disks.get(0);
    String kernelSha = vm.kernel() == null ? null : Sha256.of(vm.kernel());
    String initrdSha = vm.initrd() == null ? null : Sha256.of(vm.initrd());
    String initialDiskSha = Sha256.of(disk);
    Path replayLog = work.resolve("replay.bin");
    VmLaunchSpec spec =
        guest.spec("ftvm-record", request.qemu(), disks, work.path(), ReplaySpec.record(replayLog));
    ConsoleFile console = new ConsoleFile(spec.console().path());

    TrafficDriver traffic = trafficDrivers.create(request, work.path());
    Thread cleanupOnExit = new Thread(traffic::close, "record-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanupOnExit);
    try (traffic;
        NetdevConnection nic = NetdevConnection.bind(spec.netdevSocket())) {
      traffic.attach(nic);
      progress.progress(
          "booting "
              + vm.descriptor().getParent().getFileName()
              + " under record (workload "
              + request.workload()
              + ") ...");
      RecordedVm recorded = runGuest(request, spec, console, traffic, replayLog, started);
      String trafficSummary = traffic.summary();
      LogStats stats = finishedLog(replayLog, spec);
      String finalDiskSha = Sha256.of(disk);
      BundleManifest manifest =
          manifests.manifest(
              new ManifestFactory.RecordedRun(
                  recorded.qemuVersion(),
                  request.workload(),
                  guest.cmdline(),
                  guest.manifestArgs(spec),
                  kernelSha,
                  initrdSha,
                  initialDiskSha,
                  finalDiskSha,
                  recorded.recordedSeconds(),
                  stats));
      RunBundle bundle = RunBundle.write(request.out(), manifest, replayLog, console.path());
      long bundleBytes = Files.size(bundle.file());
      progress.progress(
          String.format(
              Locale.ROOT,
              "wrote %s: %,d bytes (log %,d bytes, %,d events, %,d instructions)",
              bundle.file(),
              bundleBytes,
              stats.bytesSeen(),
              stats.events(),
              stats.instructions()));
      return new RecordingResult(
          bundle.file(),
          bundleBytes,
          manifest,
          stats,
          recorded.bootTime(),
          Duration.ofNanos(System.nanoTime() - started),
          trafficSummary);
    } finally {
      removeHook(cleanupOnExit);
    }
  }

  private record RecordedVm(String qemuVersion, Duration bootTime, double recordedSeconds) {}

  private RecordedVm runGuest(
      RecordRequest request,
      VmLaunchSpec spec,
      ConsoleFile console,
      TrafficDriver traffic,
      Path replayLog,
      long started)
      throws IOException, RecordingFailedException, InterruptedException {
    try (VmInstance vm = launch(spec)) {
      String ready = awaitReady(request, vm, console, spec);
      Duration bootTime = Duration.ofNanos(System.nanoTime() - started);
      progress.progress(
          String.format(
              Locale.ROOT,
              "guest ready after %.1f s (%s); recording %d s",
              bootTime.toMillis() / 1000.0,
              ready,
              request.seconds()));
      traffic.guestReady();
      long readyAt = System.nanoTime();
      recordFor(request, vm, replayLog, spec, readyAt);
      double recordedSeconds = (System.nanoTime() - readyAt) / 1e9;
      traffic.stopTraffic();
      progress.progress("stopping QEMU (QMP quit) so it finishes the log ...");
      vm.shutdown(QUIT_GRACE);
      int status = vm.exitValue().orElse(-1);
      if (status != 0) {
        throw new RecordingFailedException(
            "recording QEMU exited with status "
                + status
                + " instead of quitting cleanly; the log is not finished"
                + QemuLogTail.of(spec.qemuLog()));
      }
      return new RecordedVm(describe(vm.qmp().qemuVersion()), bootTime, recordedSeconds);
    }
  }

  private VmInstance launch(VmLaunchSpec spec) throws RecordingFailedException {
    try {
      return driver.launch(spec);
    } catch (VmLaunchException e) {
      throw new RecordingFailedException(e.getMessage(), e);
    }
  }

  private String awaitReady(
      RecordRequest request, VmInstance vm, ConsoleFile console, VmLaunchSpec spec)
      throws IOException, RecordingFailedException, InterruptedException {
    long deadline = System.nanoTime() + request.bootTimeout().toNanos();
    String prefix = request.vm().readyLinePrefix().strip();
    while (System.nanoTime() < deadline) {
      var ready = console.lineStartingWith(prefix);
      if (ready.isPresent()) {
        return ready.get();
      }
      if (!vm.isRunning()) {
        throw new RecordingFailedException(
            "QEMU exited (status "
                + vm.exitValue().orElse(-1)
                + ") before the guest printed '"
                + prefix
                + "'"
                + QemuLogTail.of(spec.qemuLog()));
      }
      Thread.sleep(POLL.toMillis());
    }
    throw new RecordingFailedException(
        "the guest did not print '"
            + prefix
            + "' within "
            + request.bootTimeout().toSeconds()
            + " s; console so far:\n"
            + tail(console.text()));
  }

  private void recordFor(
      RecordRequest request, VmInstance vm, Path replayLog, VmLaunchSpec spec, long readyAt)
      throws IOException, RecordingFailedException, InterruptedException {
    long end = readyAt + Duration.ofSeconds(request.seconds()).toNanos();
    long nextReport = readyAt + PROGRESS_EVERY.toNanos();
    while (System.nanoTime() < end) {
      if (!vm.isRunning()) {
        throw new RecordingFailedException(
            "QEMU exited (status "
                + vm.exitValue().orElse(-1)
                + ") during the recording"
                + QemuLogTail.of(spec.qemuLog()));
      }
      if (System.nanoTime() >= nextReport) {
        long elapsed = Duration.ofNanos(System.nanoTime() - readyAt).toSeconds();
        progress.progress(
            String.format(
                Locale.ROOT,
                "recorded %d s of %d, %,d KB of log",
                elapsed,
                request.seconds(),
                Files.size(replayLog) / 1024));
        nextReport += PROGRESS_EVERY.toNanos();
      }
      Thread.sleep(Math.min(POLL.toMillis(), Math.max(1, (end - System.nanoTime()) / 1_000_000)));
    }
  }

  private static LogStats finishedLog(Path replayLog, VmLaunchSpec spec)
      throws RecordingFailedException {
    try {
      return new ReplayLogValidator().validateFinished(replayLog);
    } catch (IOException e) {
      throw new RecordingFailedException(
          "QEMU quit but left an unusable log: " + e.getMessage() + QemuLogTail.of(spec.qemuLog()),
          e);
    }
  }

  static String describe(QemuVersion version) {
    return version.packageVersion().isEmpty()
        ? version.numeric()
        : version.numeric() + " (" + version.packageVersion() + ")";
  }

  private static String tail(String text) {
    String[] lines = text.split("\n");
    int from = Math.max(0, lines.length - 10);
    return "  " + String.join("\n  ", java.util.Arrays.copyOfRange(lines, from, lines.length));
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      log.debug("JVM is shutting down; the cleanup hook runs anyway");
    }
  }
}
