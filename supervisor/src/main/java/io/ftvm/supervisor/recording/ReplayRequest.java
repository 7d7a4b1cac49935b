package io.ftvm.supervisor.recording;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@code ftvm replay} was asked to do.
 *
 * @param vmOverride guest files to use instead of the recorded paths (a VM directory moved or
 *     copied to another host); their digests must still match the manifest
 * @param keepGoing replay to the end even after the console diverged, to also compare the disk
 * @param timeout longest the replay may run; empty for a default derived from the recording
 */
public record ReplayRequest(
    Path bundle,
    Path qemu,
    Optional<VmDefinition> vmOverride,
    boolean keepGoing,
    Optional<Duration> timeout) {

  public ReplayRequest {
    Objects.requireNonNull(bundle, "bundle");
    Objects.requireNonNull(qemu, "qemu");
    Objects.requireNonNull(vmOverride, "vmOverride");
    Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * Replays of the test VM's boot took up to three times the recording here; a generous bound still
   * ends a stuck replay in finite time.
   */
  Duration effectiveTimeout(double recordedSeconds) {
    return timeout.orElse(Duration.ofSeconds(300 + (long) Math.ceil(6 * recordedSeconds)));
  }
}
