package io.ftvm.supervisor.cli;

import java.util.Locale;

/** Human-readable quantities for admin output; machine-readable output uses raw numbers. */
final class Units {
  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB"};

  private Units() {}

  static String bytes(long bytes) {
    if (bytes < 0) {
      return "-";
    }
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < BINARY.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.2f %s", value, BINARY[unit]);
  }

  static String rate(double bytesPerSecond) {
    return bytesPerSecond < 0 ? "-" : bytes(Math.round(bytesPerSecond)) + "/s";
  }

  /** Microseconds as milliseconds with two decimals; negative means "no sample yet". */
  static String micros(long micros) {
    return micros < 0 ? "-" : String.format(Locale.ROOT, "%.2f ms", micros / 1000.0);
  }

  static String millis(long millis) {
    if (millis < 0) {
      return "-";
    }
    if (millis < 10_000) {
      return millis + " ms";
    }
    long seconds = millis / 1000;
    if (seconds < 60) {
      return seconds + " s";
    }
    return seconds < 3600
        ? String.format(Locale.ROOT, "%dm %02ds", seconds / 60, seconds % 60)
        : String.format(Locale.ROOT, "%dh %02dm", seconds / 3600, (seconds % 3600) / 60);
  }
}
