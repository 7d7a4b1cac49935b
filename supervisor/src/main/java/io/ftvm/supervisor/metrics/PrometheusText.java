package io.ftvm.supervisor.metrics;

import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import java.util.Locale;

/**
 * A node's status in the Prometheus text exposition format (version 0.0.4): the same figures as
 * {@code ftvm status}, one gauge or counter each, labelled with vm and node. Figures a role does
 * not have (-1 in {@link NodeStatus}) are left out rather than exported as -1, so dashboards do not
 * average in a sentinel.
 */
public final class PrometheusText {
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final StringBuilder out = new StringBuilder();
  private final String labels;

  private PrometheusText(NodeStatus status) {
    this.labels = "vm=\"" + escape(status.vmId()) + "\",node=\"" + escape(status.node()) + "\"";
  }

  public static String render(NodeStatus status, FailoverCounter counter) {
    PrometheusText text = new PrometheusText(status);
    text.roles(status.role());
    text.gauge("ftvm_epoch", "Pairing epoch this node is in.", status.epoch());
    text.gauge(
        "ftvm_uptime_seconds", "Time since the daemon started.", status.uptimeMillis() / 1000.0);
    text.counter(
        "ftvm_log_produced_bytes",
        "Replay log the primary's QEMU recorded (stored).",
        status.logProduced());
    text.counter(
        "ftvm_log_sent_bytes", "Replay log position sent to the backup.", status.logSent());
    text.counter(
        "ftvm_log_acked_bytes", "Replay log position the backup acknowledged.", status.logAcked());
    text.counter(
        "ftvm_log_received_bytes", "Replay log the backup received.", status.logReceived());
    text.counter(
        "ftvm_log_replayed_bytes", "Replay log the backup's QEMU consumed.", status.logReplayed());
    text.gauge(
        "ftvm_log_unacked_bytes",
        "Log the backup has not acknowledged (primary).",
        status.unackedBytes());
    text.gauge(
        "ftvm_replay_backlog_bytes",
        "Received log the backup's QEMU has not consumed.",
        status.replayBacklogBytes());
    text.gauge(
        "ftvm_replay_lag_seconds",
        "Age of the oldest log the backup's QEMU has not consumed.",
        seconds(status.replayLagMillis()));
    text.gauge("ftvm_log_bytes_per_second", "Log rate (recent).", status.logBytesPerSecond());
    text.gauge(
        "ftvm_ack_rtt_p50_seconds",
        "Ack round trip, median of recent acks.",
        micros(status.ackRttP50Micros()));
    text.gauge(
        "ftvm_ack_rtt_p99_seconds",
        "Ack round trip, 99th percentile of recent acks.",
        micros(status.ackRttP99Micros()));
    text.gauge(
        "ftvm_output_hold_p50_seconds",
        "How long outputs were held for the Output Rule, median.",
        micros(status.outputHoldP50Micros()));
    text.gauge(
        "ftvm_output_hold_p99_seconds",
        "How long outputs were held for the Output Rule, p99.",
        micros(status.outputHoldP99Micros()));
    text.gauge(
        "ftvm_held_frames", "Outputs held now until the backup acknowledges.", status.heldFrames());
    text.gauge("ftvm_held_bytes", "Bytes of outputs held now.", status.heldBytes());
    text.gauge(
        "ftvm_throttled",
        "1 while the primary waits for its backup (flow control).",
        status.throttled() ? 1 : 0);
    text.counter(
        "ftvm_throttled_seconds",
        "Time the primary waited for its backup (flow control).",
        seconds(status.throttledMillis()));
    text.gauge(
        "ftvm_max_heartbeat_gap_seconds",
        "Largest heartbeat gap seen.",
        seconds(status.maxHeartbeatGapMillis()));
    text.gauge(
        "ftvm_max_local_stall_seconds",
        "Largest stall of this node's own channel threads.",
        seconds(status.maxLocalStallMillis()));
    text.gauge(
        "ftvm_replay_stalled",
        "1 if the backup's replay watchdog found QEMU stuck.",
        status.replayStalled() ? 1 : 0);
    text.gauge(
        "ftvm_peer_lost_to_live_seconds",
        "Last failover: peer loss to live.",
        seconds(status.peerLostToLiveMillis()));
    text.counter(
        "ftvm_failovers",
        "Times this node went live (GOING_LIVE to PRIMARY_ALONE).",
        counter.failovers());
    text.counter("ftvm_halts", "Times this node fenced itself (HALTED).", counter.halts());
    text.counter(
        "ftvm_reprotections",
        "Re-protections this node completed (a new backup joined).",
        status.reprotect() == null ? 0 : status.reprotect().succeeded());
    text.counter(
        "ftvm_reprotection_attempts",
        "Re-protection attempts.",
        status.reprotect() == null ? 0 : status.reprotect().attempts());
    return text.out.toString();
  }

  private void roles(NodeRole current) {
    header("ftvm_role", "gauge", "1 for the node's current role.");
    for (NodeRole role : NodeRole.values()) {
      out.append("ftvm_role{")
          .append(labels)
          .append(",role=\"")
          .append(role.name())
          .append("\"} ")
          .append(role == current ? 1 : 0)
          .append('\n');
    }
  }

  private void gauge(String name, String help, double value) {
    metric(name, "gauge", help, value);
  }

  private void counter(String name, String help, double value) {
    metric(name + "_total", "counter", help, value);
  }

  private void metric(String name, String type, String help, double value) {
    if (value < 0 || Double.isNaN(value)) {
      return; // not applicable to this role
    }
    header(name, type, help);
    out.append(name).append('{').append(labels).append("} ").append(format(value)).append('\n');
  }

  private void header(String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static double seconds(long millis) {
    return millis < 0 ? -1 : millis / 1000.0;
  }

  private static double micros(long micros) {
    return micros < 0 ? -1 : micros / 1_000_000.0;
  }

  private static String format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return String.format(Locale.ROOT, "%.6g", value);
  }

  private static String escape(String value) {
    return value == null
        ? ""
        : value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
