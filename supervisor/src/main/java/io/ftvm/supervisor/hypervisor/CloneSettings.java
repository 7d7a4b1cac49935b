package io.ftvm.supervisor.hypervisor;

import java.time.Duration;

/**
 * Limits and knobs of a clone.
 *
 * @param commandTimeout reply deadline of an ordinary QMP command
 * @param pollInterval how often progress is sampled
 * @param diskTimeout until the disk mirror must be in sync
 * @param ramTimeout until RAM pre-copy must have converged
 * @param switchTimeout for each step of the switch-over (mirror completion, migration end, the new
 *     log's FIFO opening)
 * @param downtimeLimit QEMU's {@code downtime-limit}: the final dirty RAM it may send in the pause
 * @param maxBandwidthBytesPerSecond QEMU's {@code max-bandwidth} for the RAM copy
 * @param writeBlockingMirror guest writes are mirrored synchronously once the copy is in sync
 */
public record CloneSettings(
    Duration commandTimeout,
    Duration pollInterval,
    Duration diskTimeout,
    Duration ramTimeout,
    Duration switchTimeout,
    Duration downtimeLimit,
    long maxBandwidthBytesPerSecond,
    boolean writeBlockingMirror) {

  public static CloneSettings defaults() {
    return new CloneSettings(
        Duration.ofSeconds(10),
        Duration.ofMillis(100),
        Duration.ofMinutes(10),
        Duration.ofMinutes(3),
        Duration.ofSeconds(30),
        Duration.ofMillis(100),
        1L << 30,
        true);
  }
}
