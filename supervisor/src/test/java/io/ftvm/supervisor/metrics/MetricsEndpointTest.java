package io.ftvm.supervisor.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.supervisor.pair.ControlTarget;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The Prometheus text a node serves, and the endpoint serving it. */
class MetricsEndpointTest {
  private static NodeStatus primary() {
    return NodeStatus.builder()
        .node("a")
        .vmId("web")
        .epoch(3)
        .role(NodeRole.PRIMARY_PROTECTED)
        .uptimeMillis(65_000)
        .logProduced(2_097_152)
        .logSent(2_097_152)
        .logAcked(2_093_056)
        .logBytesPerSecond(409_600)
        .ackRttP50Micros(410)
        .ackRttP99Micros(2100)
        .outputHoldP50Micros(900)
        .outputHoldP99Micros(3200)
        .heldFrames(2)
        .heldBytes(1200)
        .throttledMillis(1500)
        .maxHeartbeatGapMillis(230)
        .build();
  }

  @Test
  void rendersTheStatusFiguresAndLeavesOutWhatTheRoleDoesNotHave() {
    FailoverCounter counter = new FailoverCounter();
    counter.accept(NodeRole.BACKUP_REPLAYING, NodeRole.GOING_LIVE);
    counter.accept(NodeRole.GOING_LIVE, NodeRole.PRIMARY_ALONE);
    counter.accept(NodeRole.PRIMARY_ALONE, NodeRole.PRIMARY_ALONE); // an explain(), not a failover

    String text = PrometheusText.render(primary(), counter);

    assertThat(text)
        .contains("# TYPE ftvm_role gauge\n")
        .contains("ftvm_role{vm=\"web\",node=\"a\",role=\"PRIMARY_PROTECTED\"} 1\n")
        .contains("ftvm_role{vm=\"web\",node=\"a\",role=\"BACKUP_REPLAYING\"} 0\n")
        .contains("ftvm_epoch{vm=\"web\",node=\"a\"} 3\n")
        .contains("# TYPE ftvm_log_produced_bytes_total counter\n")
        .contains("ftvm_log_produced_bytes_total{vm=\"web\",node=\"a\"} 2097152\n")
        .contains("ftvm_log_acked_bytes_total{vm=\"web\",node=\"a\"} 2093056\n")
        .contains("ftvm_log_unacked_bytes{vm=\"web\",node=\"a\"} 4096\n")
        .contains("ftvm_ack_rtt_p50_seconds{vm=\"web\",node=\"a\"} 0.000410000\n")
        .contains("ftvm_output_hold_p99_seconds{vm=\"web\",node=\"a\"} 0.00320000\n")
        .contains("ftvm_held_bytes{vm=\"web\",node=\"a\"} 1200\n")
        .contains("ftvm_throttled_seconds_total{vm=\"web\",node=\"a\"} 1.50000\n")
        .contains("ftvm_failovers_total{vm=\"web\",node=\"a\"} 1\n")
        .contains("ftvm_reprotections_total{vm=\"web\",node=\"a\"} 0\n")
        // a primary has no replay figures: absent, not -1
        .doesNotContain("ftvm_log_replayed_bytes")
        .doesNotContain("ftvm_replay_lag_seconds")
        .doesNotContain("} -1");
  }

  @Test
  void servesMetricsOverHttp() throws Exception {
    ControlTarget node =
        new ControlTarget() {
          @Override
          public NodeStatus status() {
            return primary();
          }

          @Override
          public CompletableFuture<String> failover() {
            throw new AssertionError("metrics must not command the node");
          }

          @Override
          public String protect() {
            throw new AssertionError("metrics must not command the node");
          }

          @Override
          public void stop() {
            throw new AssertionError("metrics must not command the node");
          }
        };
    try (MetricsServer server = MetricsServer.start("127.0.0.1:0", node, new FailoverCounter())) {
      HttpClient client = HttpClient.newHttpClient();
      URI uri = URI.create("http://127.0.0.1:" + server.port() + "/metrics");

      HttpResponse<String> scrape =
          client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.headers().firstValue("Content-Type"))
          .contains("text/plain; version=0.0.4; charset=utf-8");
      assertThat(scrape.body()).contains("ftvm_epoch{vm=\"web\",node=\"a\"} 3\n");
      assertThat(post.statusCode()).isEqualTo(405);
    }
  }

  @Test
  void aBadListenAddressIsAClearError() {
    assertThatThrownBy(() -> MetricsServer.parse("9464"))
        .hasMessageContaining("must be host:port, e.g. 127.0.0.1:9464");
    assertThat(MetricsServer.parse("[::1]:9464").getPort()).isEqualTo(9464);
  }
}
