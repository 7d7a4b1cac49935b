package io.ftvm.supervisor.recording;

import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.LogStats;
import io.ftvm.replay.RunBundle;
import io.ftvm.replay.VmConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Builds the manifest of a finished recording from what was measured; no I/O. */
public final class ManifestFactory {
  private final String ftvmVersion;
  private final Clock clock;

  public ManifestFactory(String ftvmVersion, Clock clock) {
    this.ftvmVersion = ftvmVersion;
    this.clock = clock;
  }

  /** What one recording measured, input to {@link #manifest}. */
  public record RecordedRun(
      String qemuVersion,
      String workload,
      String cmdline,
      List<String> qemuArgs,
      String kernelSha256,
      String initrdSha256,
      String initialDiskSha256,
      String finalDiskSha256,
      double recordedSeconds,
      LogStats logStats) {}

  public BundleManifest manifest(RecordedRun run) {
    if (!run.logStats().endSeen()) {
      throw new IllegalArgumentException(
          "the replay log has no END event; only a finished recording becomes a bundle");
    }
    if (run.recordedSeconds() < 0) {
      throw new IllegalArgumentException("recorded seconds < 0: " + run.recordedSeconds());
    }
    return new BundleManifest(
        RunBundle.FORMAT_VERSION,
        ftvmVersion,
        run.qemuVersion(),
        run.logStats().headerVersion(),
        new VmConfig(
            run.kernelSha256(),
            run.initrdSha256(),
            run.initialDiskSha256(),
            run.cmdline(),
            run.qemuArgs(),
            run.workload()),
        run.initialDiskSha256(),
        run.finalDiskSha256(),
        run.recordedSeconds(),
        run.logStats().instructions(),
        Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString());
  }
}
