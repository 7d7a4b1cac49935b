package io.ftvm.supervisor.recording;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code ftvm record} was asked to do.
 *
 * @param seconds wall time to record after the guest printed its ready line
 * @param bootTimeout how long the guest may take to print its ready line
 */
public record RecordRequest(
    VmDefinition vm, String workload, int seconds, Path out, Path qemu, Duration bootTimeout) {

  public static final int MAX_SECONDS = 24 * 3600;
  static final Set<String> WORKLOADS = Set.of("idle", "cpu", "disk", "net", "all");

  public RecordRequest {
    Objects.requireNonNull(vm, "vm");
    Objects.requireNonNull(workload, "workload");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(qemu, "qemu");
    Objects.requireNonNull(bootTimeout, "bootTimeout");
  }

  /** Whether the workload serves TCP and therefore needs an outside world that talks to it. */
  public boolean needsNetworkTraffic() {
    return workload.equals("net") || workload.equals("all");
  }

  /**
   * Checks everything that can be checked before a QEMU starts.
   *
   * @throws BadInputException naming the option and why it is unusable
   */
  public void validate() throws BadInputException {
    if (!WORKLOADS.contains(workload)) {
      throw new BadInputException(
          "--workload " + workload + " is not one of " + String.join(", ", WORKLOADS));
    }
    if (seconds < 1 || seconds > MAX_SECONDS) {
      throw new BadInputException(
          "--seconds " + seconds + " is out of range (1 to " + MAX_SECONDS + ")");
    }
    if (bootTimeout.isNegative() || bootTimeout.isZero()) {
      throw new BadInputException("boot timeout must be positive, got " + bootTimeout);
    }
    Path target = out.toAbsolutePath();
    if (Files.isDirectory(target)) {
      throw new BadInputException("--out " + out + " is a directory; give a bundle file name");
    }
    Path parent = target.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new BadInputException("--out " + out + ": directory " + parent + " does not exist");
    }
    if (!Files.isWritable(parent)) {
      throw new BadInputException("--out " + out + ": directory " + parent + " is not writable");
    }
    QemuBinary.check(qemu);
  }
}
