package io.ftvm.supervisor.pair;

/**
 * Re-protection as {@code ftvm status} shows it: the running attempt's progress (phase, bytes,
 * rate, ETA), the last successful one's pause and duration, how many succeeded, and the retry
 * backoff while attempts fail. Byte and time fields are -1 when unknown.
 */
public record ReprotectStatus(
    boolean running,
    long targetEpoch,
    String joiner,
    String phase,
    long diskCopiedBytes,
    long diskTotalBytes,
    long ramTransferredBytes,
    long ramRemainingBytes,
    double bytesPerSecond,
    long etaMillis,
    int attempts,
    int succeeded,
    long lastPauseMillis,
    long lastDurationMillis,
    long lastDiskBytes,
    long lastRamBytes,
    String lastFailure,
    int consecutiveFailures,
    long retryInMillis) {

  static ReprotectStatus of(Reprotection.View view) {
    ReprotectProgress progress = view.progress();
    return new ReprotectStatus(
        view.running(),
        view.targetEpoch(),
        view.joiner(),
        progress == null ? null : progress.phase(),
        progress == null ? -1 : progress.diskCopiedBytes(),
        progress == null ? -1 : progress.diskTotalBytes(),
        progress == null ? -1 : progress.ramTransferredBytes(),
        progress == null ? -1 : progress.ramRemainingBytes(),
        progress == null ? 0 : progress.bytesPerSecond(),
        progress == null || progress.eta() == null ? -1 : progress.eta().toMillis(),
        view.attempts(),
        view.succeeded(),
        view.lastPauseMillis(),
        view.lastDurationMillis(),
        view.lastDiskBytes(),
        view.lastRamBytes(),
        view.lastFailure(),
        view.consecutiveFailures(),
        view.retryInMillis());
  }

  /** One line for the status table, e.g. "epoch 2 to a: disk 64/256 MiB, 32.0 MiB/s, ETA 6 s". */
  public String summary() {
    StringBuilder text = new StringBuilder();
    if (running) {
      text.append("re-protecting to ").append(joiner).append(" (epoch ").append(targetEpoch);
      text.append("): ").append(phase);
      if (diskTotalBytes > 0) {
        text.append(", disk ").append(diskCopiedBytes >> 20).append('/');
        text.append(diskTotalBytes >> 20).append(" MiB");
      }
      if (ramTransferredBytes > 0) {
        text.append(", ram ").append(ramTransferredBytes >> 20).append(" MiB sent");
      }
      if (bytesPerSecond > 0) {
        text.append(String.format(", %.1f MiB/s", bytesPerSecond / (1 << 20)));
      }
      if (etaMillis >= 0) {
        text.append(", ETA ").append(etaMillis / 1000).append(" s");
      }
    } else if (succeeded > 0) {
      text.append("re-protected ").append(succeeded).append("x; last pause ");
      text.append(lastPauseMillis).append(" ms, took ").append(lastDurationMillis).append(" ms");
    }
    if (consecutiveFailures > 0) {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append(consecutiveFailures).append(" failed in a row (").append(lastFailure);
      text.append("), retry in ").append(retryInMillis / 1000).append(" s");
    }
    return text.toString();
  }
}
