package io.ftvm.supervisor.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ftvm.supervisor.pair.ControlTarget;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} on an opt-in address ({@code metricsListen} in the pair config): the node's
 * status in Prometheus text format, rendered per scrape from the same {@code status()} the control
 * socket serves. Read-only; one thread.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private final HttpServer server;

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /** {@code listen}: "host:port" ("0.0.0.0:9464", "127.0.0.1:9464", "[::1]:9464"). */
  public static MetricsServer start(String listen, ControlTarget node, FailoverCounter counter)
      throws IOException {
    InetSocketAddress address = parse(listen);
    HttpServer server = HttpServer.create(address, 8);
    server.createContext(
        "/metrics",
        exchange -> {
          try (exchange) {
            byte[] body;
            int code;
            if (!"GET".equals(exchange.getRequestMethod())) {
              code = 405;
              body = "only GET\n".getBytes(StandardCharsets.UTF_8);
            } else {
              code = 200;
              body = PrometheusText.render(node.status(), counter).getBytes(StandardCharsets.UTF_8);
              exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
            }
            send(exchange, code, body);
          } catch (RuntimeException e) {
            log.warn("metrics scrape failed", e);
          }
        });
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread thread = new Thread(r, "metrics");
              thread.setDaemon(true);
              return thread;
            }));
    server.start();
    log.info("Prometheus metrics on http://{}/metrics", listen);
    return new MetricsServer(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  static InetSocketAddress parse(String listen) {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0 || colon == listen.length() - 1) {
      throw new IllegalArgumentException(
          "metrics listen address '" + listen + "' must be host:port, e.g. 127.0.0.1:9464");
    }
    String host = listen.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("metrics listen address '" + listen + "': bad port");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("metrics listen address '" + listen + "': bad port");
    }
    return new InetSocketAddress(host, port);
  }

  private static void send(HttpExchange exchange, int code, byte[] body) throws IOException {
    exchange.sendResponseHeaders(code, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
