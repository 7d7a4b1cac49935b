package io.ftvm.supervisor.recording;

import com.fasterxml.jackson.databind.JsonNode;
import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.ConsoleDiff;
import io.ftvm.replay.LogStats;
import io.ftvm.replay.RunBundle;
import io.ftvm.supervisor.hypervisor.HypervisorDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.hypervisor.VmLaunchException;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.pair.NetdevConnection;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ftvm replay}: replays a bundle's log on a fresh copy of the recorded disk and checks that
 * the guest does exactly what it did while recording (console, final disk). The NIC is a socket
 * nobody answers: filter-replay injects the recorded frames and drops what the guest sends. QEMU
 * replays the SHUTDOWN event the recorder's QMP quit logged and exits; that exit is the end.
 */
public final class Replayer {
  private static final Logger log = LoggerFactory.getLogger(Replayer.class);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final Duration QMP_QUERY_TIMEOUT = Duration.ofSeconds(2);

  /** A replay whose instruction count stands still this long is stuck (diverged or starved). */
  private final Duration stallTimeout;

  private final HypervisorDriver driver;
  private final ProgressListener progress;

  public Replayer(HypervisorDriver driver, ProgressListener progress, Duration stallTimeout) {
    this.driver = driver;
    this.progress = progress;
    this.stallTimeout = stallTimeout;
  }

  public Replayer(HypervisorDriver driver, ProgressListener progress) {
    this(driver, progress, Duration.ofSeconds(90));
  }

  public ReplayVerdict replay(ReplayRequest request)
      throws BadInputException, RecordingFailedException, InterruptedException {
    QemuBinary.check(request.qemu());
    RunBundle bundle = BundleInputs.open(request.bundle());
    BundleManifest manifest = bundle.manifest();
    GuestLaunch guest = BundleInputs.guest(manifest, request.vmOverride().orElse(null));
    try (WorkDirectory work = WorkDirectory.create("ftvm-replay-")) {
      Path replayLog = work.resolve("replay.bin");
      LogStats stats = BundleInputs.extractLog(bundle, replayLog);
      try {
        return replay(request, bundle, guest, stats, work);
      } catch (RecordingFailedException | RuntimeException e) {
        work.keep();
        throw e;
      }
    } catch (IOException e) {
      throw new RecordingFailedException("replay failed: " + e.getMessage(), e);
    }
  }

  private ReplayVerdict replay(
      ReplayRequest request,
      RunBundle bundle,
      GuestLaunch guest,
      LogStats stats,
      WorkDirectory work)
      throws IOException, RecordingFailedException, InterruptedException {
    BundleManifest manifest = bundle.manifest();
    List<Path> disks = WorkingDisks.copy(guest.pristineDisks(), work.path());
    Path disk = disks.get(0);
    VmLaunchSpec spec =
        guest.spec(
            "ftvm-replay",
            request.qemu(),
            disks,
            work.path(),
            ReplaySpec.replay(work.resolve("replay.bin"), false, false));
    ConsoleFile console = new ConsoleFile(spec.console().path());
    ConsolePrefixCheck prefixCheck = new ConsolePrefixCheck(bundle.consoleLog());
    Duration timeout = request.effectiveTimeout(manifest.recordedSeconds());
    progress.progress(
        String.format(
            Locale.ROOT,
            "replaying %s: %,d events, %,d instructions (recorded %.0f s, workload %s) ...",
            bundle.file().getFileName(),
            stats.events(),
            stats.instructions(),
            manifest.recordedSeconds(),
            manifest.vm().workload()));
    long started = System.nanoTime();
    Watch watch;
    try (NetdevConnection nic = NetdevConnection.bind(spec.netdevSocket())) {
      new FrameDiscarder().start(nic);
      try (VmInstance vm = launch(spec)) {
        warnOnOtherQemu(manifest, vm);
        watch = watchUntilDone(vm, console, prefixCheck, request, stats, timeout, spec);
      }
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - started);
    Optional<ConsoleDiff.Divergence> divergence =
        watch.problem().isEmpty() || watch.liveDivergence().isEmpty()
            ? ConsoleDiff.firstDivergence(bundle.consoleLog(), console.text())
            : watch.liveDivergence();
    Optional<String> diskSha =
        watch.problem().isEmpty() ? Optional.of(Sha256.of(disk)) : Optional.empty();
    return new ReplayVerdict(
        watch.problem().isEmpty(),
        watch.problem(),
        divergence,
        manifest.finalDiskSha256(),
        diskSha,
        stats.instructions(),
        watch.lastIcount(),
        wall);
  }

  private record Watch(
      Optional<String> problem, Optional<ConsoleDiff.Divergence> liveDivergence, long lastIcount) {}

  private Watch watchUntilDone(
      VmInstance vm,
      ConsoleFile console,
      ConsolePrefixCheck prefixCheck,
      ReplayRequest request,
      LogStats stats,
      Duration timeout,
      VmLaunchSpec spec)
      throws IOException, InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long nextReport = started + PROGRESS_EVERY.toNanos();
    long icount = -1;
    long lastAdvance = started;
    Optional<ConsoleDiff.Divergence> divergence = Optional.empty();
    while (!vm.awaitExit(POLL)) {
      long now = System.nanoTime();
      if (divergence.isEmpty()) {
        divergence = prefixCheck.firstMismatch(console.completeLines());
        if (divergence.isPresent() && !request.keepGoing()) {
          vm.kill();
          vm.awaitExit(Duration.ofSeconds(10));
          return new Watch(
              Optional.of("stopped at the first console divergence (use --keep-going to go on)"),
              divergence,
              icount);
        }
      }
      if (now >= nextReport || icount < 0) {
        long current = icount(vm);
        if (current > icount) {
          icount = current;
          lastAdvance = now;
        }
        if (now >= nextReport) {
          progress.progress(
              String.format(
                  Locale.ROOT,
                  "replayed %d s: %,d of %,d instructions (%.0f%%)",
                  Duration.ofNanos(now - started).toSeconds(),
                  Math.max(icount, 0),
                  stats.instructions(),
                  stats.instructions() == 0
                      ? 0.0
                      : 100.0 * Math.max(icount, 0) / stats.instructions()));
          nextReport += PROGRESS_EVERY.toNanos();
        }
      }
      String stop = null;
      if (now - lastAdvance > stallTimeout.toNanos()) {
        stop =
            "replay stalled: no progress for "
                + stallTimeout.toSeconds()
                + " s at icount "
                + icount
                + " of "
                + stats.instructions();
      } else if (now > deadline) {
        stop = "replay did not finish within " + timeout.toSeconds() + " s (--timeout)";
      }
      if (stop != null) {
        vm.kill();
        vm.awaitExit(Duration.ofSeconds(10));
        return new Watch(Optional.of(stop), divergence, icount);
      }
    }
    int status = vm.exitValue().orElse(-1);
    if (status != 0) {
      return new Watch(
          Optional.of("QEMU exited with status " + status + QemuLogTail.of(spec.qemuLog())),
          divergence,
          icount);
    }
    log.info("replay QEMU exited cleanly at the end of the log");
    return new Watch(Optional.empty(), Optional.empty(), stats.instructions());
  }

  /** QEMU's replayed instruction count, or -1 if QMP does not answer right now. */
  private static long icount(VmInstance vm) {
    try {
      JsonNode reply =
          vm.qmp()
              .execute("query-replay", null, QMP_QUERY_TIMEOUT)
              .get(QMP_QUERY_TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
      return reply.path("icount").asLong(-1);
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      log.debug("query-replay failed: {}", e.getMessage());
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void warnOnOtherQemu(BundleManifest manifest, VmInstance vm) {
    String running = Recorder.describe(vm.qmp().qemuVersion());
    if (!running.equals(manifest.qemuVersion())) {
      log.warn(
          "recorded with QEMU {}, replaying with QEMU {}; a different QEMU may replay differently",
          manifest.qemuVersion(),
          running);
    }
  }

  private VmInstance launch(VmLaunchSpec spec) throws RecordingFailedException {
    try {
      return driver.launch(spec);
    } catch (VmLaunchException e) {
      throw new RecordingFailedException("replay could not start: " + e.getMessage(), e);
    }
  }
}
