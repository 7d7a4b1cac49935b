package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.LogStats;
import io.ftvm.replay.ReplayLogFormat;
import io.ftvm.replay.RunBundle;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestFactoryTest {
  private final ManifestFactory factory =
      new ManifestFactory(
          "1.2.3", Clock.fixed(Instant.parse("2026-11-22T04:50:01.789Z"), ZoneOffset.UTC));

  static LogStats stats(boolean end, long instructions) {
    return new LogStats(
        ReplayLogFormat.REPLAY_VERSION, 0, false, 1000, 1000, 50, instructions, end, Map.of(), -1);
  }

  private static ManifestFactory.RecordedRun run(LogStats stats, double seconds) {
    return new ManifestFactory.RecordedRun(
        "10.0.13 (Debian 1:10.0.13+ds-0+deb13u1+ftvm1)",
        "disk",
        "console=ttyS0 ftvm.workload=disk",
        List.of("-m", "256"),
        "k".repeat(64),
        "i".repeat(64),
        "a".repeat(64),
        "b".repeat(64),
        seconds,
        stats);
  }

  @Test
  void carriesEverythingAReplayNeeds() {
    BundleManifest manifest = factory.manifest(run(stats(true, 987_654_321L), 15.25));

    assertThat(manifest.formatVersion()).isEqualTo(RunBundle.FORMAT_VERSION);
    assertThat(manifest.ftvmVersion()).isEqualTo("1.2.3");
    assertThat(manifest.qemuVersion()).startsWith("10.0.13");
    assertThat(manifest.replayLogVersion()).isEqualTo(ReplayLogFormat.REPLAY_VERSION);
    assertThat(manifest.instructionCount()).isEqualTo(987_654_321L);
    assertThat(manifest.recordedSeconds()).isEqualTo(15.25);
    assertThat(manifest.initialDiskSha256()).isEqualTo("a".repeat(64));
    assertThat(manifest.finalDiskSha256()).isEqualTo("b".repeat(64));
    assertThat(manifest.vm().diskSha256()).isEqualTo("a".repeat(64));
    assertThat(manifest.vm().kernelSha256()).isEqualTo("k".repeat(64));
    assertThat(manifest.vm().initrdSha256()).isEqualTo("i".repeat(64));
    assertThat(manifest.vm().workload()).isEqualTo("disk");
    assertThat(manifest.vm().cmdline()).isEqualTo("console=ttyS0 ftvm.workload=disk");
    assertThat(manifest.vm().qemuArgs()).containsExactly("-m", "256");
    assertThat(manifest.createdAt()).isEqualTo("2026-11-22T04:50:01Z");
  }

  @Test
  void refusesAnUnfinishedLog() {
    assertThatThrownBy(() -> factory.manifest(run(stats(false, 5), 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no END event");
  }
}
