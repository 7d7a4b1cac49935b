package io.ftvm.replay;

/**
 * {@code manifest.json} of a run bundle.
 *
 * @param formatVersion bundle format, {@link RunBundle#FORMAT_VERSION}
 * @param ftvmVersion ftvm that wrote the bundle
 * @param qemuVersion QEMU that recorded the log, e.g. "10.0.13"
 * @param replayLogVersion REPLAY_VERSION in the log header (0xe0200c = 14688268)
 * @param vm guest configuration
 * @param initialDiskSha256 disk digest before recording, null if diskless
 * @param finalDiskSha256 disk digest after recording, null if diskless
 * @param recordedSeconds wall time recorded
 * @param instructionCount guest instructions covered by the log
 * @param createdAt ISO-8601 UTC creation time
 */
public record BundleManifest(
    int formatVersion,
    String ftvmVersion,
    String qemuVersion,
    long replayLogVersion,
    VmConfig vm,
    String initialDiskSha256,
    String finalDiskSha256,
    double recordedSeconds,
    long instructionCount,
    String createdAt) {}
