package io.ftvm.supervisor.recording;

import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.LogStats;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A finished recording.
 *
 * @param bootTime launch until the guest's ready line
 * @param totalTime launch until the bundle was written
 */
public record RecordingResult(
    Path bundle,
    long bundleBytes,
    BundleManifest manifest,
    LogStats logStats,
    Duration bootTime,
    Duration totalTime,
    String trafficSummary) {}
