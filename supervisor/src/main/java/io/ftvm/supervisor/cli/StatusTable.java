package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * {@code ftvm status} as a table with one column per node and one row per figure, so a pair fits an
 * 80-column terminal. Figures a role does not have (the backup produces no log) show "-".
 */
final class StatusTable {
  private static final String GAP = "   ";

  private StatusTable() {}

  static String render(List<NodeReport> nodes) {
    List<List<String>> rows = new ArrayList<>();
    rows.add(row("", nodes, NodeReport::node));
    rows.add(row("role", nodes, NodeReport::describeRole));
    rows.add(row("reason", nodes, StatusTable::reason));
    rows.add(live("guest", nodes, s -> s.guest() == null ? "-" : s.guest().summary()));
    rows.add(live("epoch", nodes, s -> Long.toString(s.epoch())));
    rows.add(live("peer", nodes, s -> s.peer() == null || s.peer().isEmpty() ? "-" : s.peer()));
    rows.add(
        live(
            "re-protection",
            nodes,
            s ->
                s.reprotect() == null || s.reprotect().summary().isEmpty()
                    ? "-"
                    : s.reprotect().summary()));
    rows.add(live("uptime", nodes, s -> Units.millis(s.uptimeMillis())));
    rows.add(live("qemu pid", nodes, s -> s.qemuPid() > 0 ? Long.toString(s.qemuPid()) : "-"));
    rows.add(live("log produced", nodes, s -> Units.bytes(s.logProduced())));
    rows.add(live("log sent", nodes, s -> Units.bytes(s.logSent())));
    rows.add(live("log acked", nodes, s -> Units.bytes(s.logAcked())));
    rows.add(live("log received", nodes, s -> Units.bytes(s.logReceived())));
    rows.add(live("log replayed", nodes, s -> Units.bytes(s.logReplayed())));
    rows.add(live("lag", nodes, StatusTable::lag));
    rows.add(live("replay", nodes, StatusTable::replayState));
    rows.add(live("log rate", nodes, s -> Units.rate(s.logBytesPerSecond())));
    rows.add(
        live(
            "ack rtt p50/p99",
            nodes,
            s -> pair(Units.micros(s.ackRttP50Micros()), Units.micros(s.ackRttP99Micros()))));
    rows.add(
        live(
            "output hold p50/p99",
            nodes,
            s ->
                pair(
                    Units.micros(s.outputHoldP50Micros()), Units.micros(s.outputHoldP99Micros()))));
    rows.add(
        live("held output", nodes, s -> s.heldFrames() + " frames, " + Units.bytes(s.heldBytes())));
    rows.add(live("throttled", nodes, s -> s.logSent() < 0 ? "-" : s.throttled() ? "yes" : "no"));
    rows.add(
        live(
            "peer lost to live",
            nodes,
            s -> s.peerLostToLiveMillis() < 0 ? "-" : Units.millis(s.peerLostToLiveMillis())));
    rows.add(
        live(
            "max heartbeat gap",
            nodes,
            s ->
                s.maxHeartbeatGapMillis() < 0
                    ? "-"
                    : Units.millis(s.maxHeartbeatGapMillis())
                        + " (p99.9 "
                        + Units.millis(s.heartbeatGapP999Millis())
                        + ")"));
    rows.add(
        live(
            "max local stall",
            nodes,
            s -> s.maxLocalStallMillis() < 0 ? "-" : Units.millis(s.maxLocalStallMillis())));
    return layout(rows);
  }

  /**
   * The primary's lag is log the backup has not acknowledged, in bytes and bytes over the current
   * log rate. The backup's is log it received that its QEMU has not consumed yet, in bytes and as
   * the time the oldest such byte has been waiting.
   */
  static String lag(NodeStatus status) {
    long bytes;
    if (status.role() == NodeRole.PRIMARY_ALONE || status.role() == NodeRole.REPROTECTING) {
      return "- (no backup)";
    }
    if (status.replayLagMillis() >= 0) {
      return Units.bytes(Math.max(0, status.replayBacklogBytes()))
          + " / "
          + status.replayLagMillis()
          + " ms";
    }
    if (status.logProduced() >= 0 && status.logAcked() >= 0) {
      bytes = status.unackedBytes();
    } else if (status.replayBacklogBytes() >= 0) {
      bytes = status.replayBacklogBytes();
    } else {
      return "-";
    }
    String time;
    if (bytes == 0) {
      time = "0 ms";
    } else if (status.logBytesPerSecond() > 0) {
      time = Math.round(bytes * 1000.0 / status.logBytesPerSecond()) + " ms";
    } else {
      time = "? ms (no log flowing)";
    }
    return Units.bytes(bytes) + " / " + time;
  }

  /** The backup's replay watchdog: "STALLED" once QEMU stopped consuming log it was given. */
  private static String replayState(NodeStatus status) {
    if (status.replayLagMillis() < 0) {
      return "-";
    }
    return status.replayStalled() ? "STALLED (QEMU stopped consuming log)" : "following";
  }

  private static String reason(NodeReport report) {
    String[] parts = report.roleLine().split(" ", 2);
    return parts.length > 1 && !parts[1].isBlank() ? parts[1] : "-";
  }

  private static String pair(String p50, String p99) {
    return "-".equals(p50) && "-".equals(p99) ? "-" : p50 + " / " + p99;
  }

  private static List<String> row(
      String label, List<NodeReport> nodes, Function<NodeReport, String> value) {
    List<String> row = new ArrayList<>();
    row.add(label);
    nodes.forEach(n -> row.add(value.apply(n)));
    return row;
  }

  private static List<String> live(
      String label, List<NodeReport> nodes, Function<NodeStatus, String> value) {
    return row(label, nodes, n -> n.status().map(value).orElse("-"));
  }

  private static String layout(List<List<String>> rows) {
    int columns = rows.get(0).size();
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(c == 0 ? "" : GAP).append(pad(row.get(c), widths[c]));
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(width - text.length());
  }
}
