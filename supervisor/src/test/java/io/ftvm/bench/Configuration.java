package io.ftvm.bench;

import java.util.Locale;

/** What runs the test VM in one column of the benchmark. */
enum Configuration {
  /** Plain TCG, no -icount, no record/replay: the baseline. */
  PLAIN,
  /**
   * -icount shift=auto without a log (rrlater=on, the way a protectable VM runs before it records):
   * what icount itself costs.
   */
  ICOUNT,
  /** -icount shift=auto,rr=record to a regular file (blkreplay, filter-replay), no backup. */
  RECORD,
  /** The protected pair: recording primary, following backup, Output Rule. */
  FT;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Configuration parse(String label) {
    for (Configuration configuration : values()) {
      if (configuration.label().equals(label.trim().toLowerCase(Locale.ROOT))) {
        return configuration;
      }
    }
    throw new IllegalArgumentException(
        "unknown configuration '" + label + "' (expected plain, icount, record or ft)");
  }
}
