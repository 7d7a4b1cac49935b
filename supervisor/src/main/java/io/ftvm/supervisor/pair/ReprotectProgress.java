package io.ftvm.supervisor.pair;

import java.time.Duration;

/**
 * How far a clone to the new backup is (mirrors the hypervisor's clone progress): phase (e.g.
 * "disk", "ram", "switch"), disk bytes copied of the total, RAM bytes sent and still dirty, the
 * rate and the estimated time left ({@code null} when unknown).
 */
record ReprotectProgress(
    String phase,
    long diskCopiedBytes,
    long diskTotalBytes,
    long ramTransferredBytes,
    long ramRemainingBytes,
    double bytesPerSecond,
    Duration eta) {

  static ReprotectProgress starting(String phase) {
    return new ReprotectProgress(phase, 0, 0, 0, 0, 0, null);
  }

  /** For logs and the status reason: "disk 120/512 MiB, ram 10 MiB sent, 45.0 MiB/s, ETA 9 s". */
  String summary() {
    StringBuilder text = new StringBuilder(phase);
    if (diskTotalBytes > 0) {
      text.append(", disk ").append(mib(diskCopiedBytes)).append('/').append(mib(diskTotalBytes));
      text.append(" MiB");
    }
    if (ramTransferredBytes > 0 || ramRemainingBytes > 0) {
      text.append(", ram ").append(mib(ramTransferredBytes)).append(" MiB sent, ");
      text.append(mib(ramRemainingBytes)).append(" MiB dirty");
    }
    if (bytesPerSecond > 0) {
      text.append(String.format(", %.1f MiB/s", bytesPerSecond / (1 << 20)));
    }
    if (eta != null) {
      text.append(", ETA ").append(eta.toSeconds()).append(" s");
    }
    return text.toString();
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }
}
