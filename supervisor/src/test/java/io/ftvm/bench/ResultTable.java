package io.ftvm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the figures of all configurations side by side, with the ratios between them. */
final class ResultTable {
  /** A row: which figure, how it is scaled for display, and whether ratios make sense for it. */
  private record Row(String title, String key, double scale, String format, boolean ratio) {}

  private static final List<Row> COMMON =
      List.of(
          new Row("boot to ready line (s)", "bootToReadySeconds", 1, "%.1f", true),
          new Row("echo round trips/s (1 outstanding)", "echoPerSecond", 1, "%.1f", true),
          new Row("echo RTT p50 (ms)", "echoRttP50Micros", 1e-3, "%.2f", true),
          new Row("echo RTT p99 (ms)", "echoRttP99Micros", 1e-3, "%.2f", true),
          new Row("kv INCR ops/s (pipelined)", "kvOpsPerSecond", 1, "%.1f", true),
          new Row("guest CPU: hash rounds/s", "cpuRoundsPerSecond", 1, "%.1f", true),
          new Row("disk seq write 4K+fsync (MB/s)", "diskSeqWriteMBps", 1, "%.2f", true),
          new Row("disk seq read 4K (MB/s)", "diskSeqReadMBps", 1, "%.2f", true),
          new Row("disk rand write 4K+fsync (IOPS)", "diskRandWriteIops", 1, "%.1f", true),
          new Row("disk rand read 4K (IOPS)", "diskRandReadIops", 1, "%.1f", true),
          new Row("replay log (KB/s)", "logBytesPerSecond", 1e-3, "%.1f", true),
          new Row("replay log (Mbit/s)", "logBytesPerSecond", 8e-6, "%.3f", false),
          new Row("QEMU CPU (% of a core; ft: primary)", "qemuCpuPercent", 1, "%.0f", true));

  private static final List<Row> PAIR_ONLY =
      List.of(
          new Row("backup QEMU CPU (% of a core)", "backupQemuCpuPercent", 1, "%.0f", false),
          new Row("both supervisor daemons CPU (%)", "daemonsCpuPercent", 1, "%.0f", false),
          new Row("echo phase: ack RTT p50 / p99 (ms)", "echoAckRtt", 1e-3, "%.2f", false),
          new Row("echo phase: output hold p50 / p99 (ms)", "echoOutputHold", 1e-3, "%.2f", false),
          new Row("kv phase: ack RTT p50 / p99 (ms)", "kvAckRtt", 1e-3, "%.2f", false),
          new Row("kv phase: output hold p50 / p99 (ms)", "kvOutputHold", 1e-3, "%.2f", false),
          new Row("unacked log p50 / max (KB)", "unackedBytes", 1e-3, "%.1f", false),
          new Row("backup replay lag p50 / max (KB)", "replayLagBytes", 1e-3, "%.1f", false),
          new Row(
              "backup replay lag p50 / max (ms, bytes / mean rate)",
              "replayLagMillis",
              1,
              "%.0f",
              false),
          new Row("backup feeder backlog max (KB)", "backupBacklogBytesMax", 1e-3, "%.1f", false),
          new Row(
              "protected for the whole window (1 = yes)", "protectedWholeWindow", 1, "%.0f", false),
          new Row(
              "flow control throttled in window (1 = yes)", "throttledInWindow", 1, "%.0f", false));

  private static final String[][] RATIOS = {
    {"ft", "plain"},
    {"ft", "record"},
    {"record", "plain"},
    {"icount", "plain"},
    {"record", "icount"}
  };

  private ResultTable() {}

  /**
   * @param results figures per configuration label, in column order
   */
  static String render(Map<String, Map<String, Double>> results) {
    StringBuilder out = new StringBuilder();
    List<String> columns = new ArrayList<>(results.keySet());
    List<String[]> ratios = new ArrayList<>();
    for (String[] ratio : RATIOS) {
      if (results.containsKey(ratio[0]) && results.containsKey(ratio[1])) {
        ratios.add(ratio);
      }
    }
    out.append(String.format(Locale.ROOT, "%-42s", "metric"));
    for (String column : columns) {
      out.append(String.format(Locale.ROOT, "%12s", column));
    }
    for (String[] ratio : ratios) {
      out.append(String.format(Locale.ROOT, "%14s", ratio[0] + "/" + ratio[1]));
    }
    out.append('\n');
    for (Row row : COMMON) {
      out.append(String.format(Locale.ROOT, "%-42s", row.title()));
      for (String column : columns) {
        out.append(String.format(Locale.ROOT, "%12s", cell(results.get(column), row)));
      }
      for (String[] ratio : ratios) {
        Double top = results.get(ratio[0]).get(row.key());
        Double bottom = results.get(ratio[1]).get(row.key());
        String text =
            row.ratio() && top != null && bottom != null && bottom != 0 && !top.isNaN()
                ? String.format(Locale.ROOT, "%.3f", top / bottom)
                : "-";
        out.append(String.format(Locale.ROOT, "%14s", text));
      }
      out.append('\n');
    }
    Map<String, Double> pair = results.get(Configuration.FT.label());
    if (pair != null) {
      out.append("\nprotected pair only (primary/backup status, sampled every 500 ms):\n");
      for (Row row : PAIR_ONLY) {
        out.append(String.format(Locale.ROOT, "  %-48s %s%n", row.title(), pairCell(pair, row)));
      }
    }
    return out.toString();
  }

  private static String cell(Map<String, Double> figures, Row row) {
    Double value = figures.get(row.key());
    return value == null || value.isNaN()
        ? "-"
        : String.format(Locale.ROOT, row.format(), value * row.scale());
  }

  /** Single figures by key; "p50 / max" and "p50 / p99" pairs by prefix. */
  private static String pairCell(Map<String, Double> figures, Row row) {
    if (figures.containsKey(row.key())) {
      return cell(figures, row);
    }
    List<String> parts = new ArrayList<>();
    for (String suffix : List.of("P50Micros", "P99Micros", "P50", "Max")) {
      Double value = figures.get(row.key() + suffix);
      if (value != null) {
        parts.add(String.format(Locale.ROOT, row.format(), value * row.scale()));
      }
    }
    return parts.isEmpty() ? "-" : String.join(" / ", parts);
  }
}
