package io.ftvm.supervisor.hypervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * How far a clone got, reported while it runs.
 *
 * @param phase {@link #DISK} (mirroring the disk), {@link #RAM} (pre-copying memory while the VM
 *     runs), {@link #PAUSED} (the VM is stopped for the switch-over), {@link #DONE}
 * @param diskCopiedBytes the mirror job's offset
 * @param diskTotalBytes the mirror job's length (grows while the guest writes)
 * @param ramTransferredBytes RAM bytes sent so far
 * @param ramRemainingBytes RAM bytes still dirty
 * @param bytesPerSecond current transfer rate of the phase
 * @param eta estimated time to the end of the phase, {@link Duration#ZERO} if unknown or done
 */
public record CloneProgress(
    String phase,
    long diskCopiedBytes,
    long diskTotalBytes,
    long ramTransferredBytes,
    long ramRemainingBytes,
    double bytesPerSecond,
    Duration eta) {
  public static final String DISK = "disk";
  public static final String RAM = "ram";
  public static final String PAUSED = "paused";
  public static final String DONE = "done";

  public CloneProgress {
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(eta, "eta");
  }
}
