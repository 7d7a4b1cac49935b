package io.ftvm.supervisor.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixSocketQmpClientIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private FakeQmpServer server;
  private UnixSocketQmpClient client;

  @BeforeEach
  void startServer() throws IOException {
    server = new FakeQmpServer(dir.resolve("qmp.sock"), FakeQmpServer.GREETING);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (client != null) {
      client.close();
    }
    server.close();
  }

  private UnixSocketQmpClient connect() throws Exception {
    Future<UnixSocketQmpClient> connecting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return UnixSocketQmpClient.connect(dir.resolve("qmp.sock"), TIMEOUT);
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    server.acceptCapabilities();
    client = connecting.get(5, TimeUnit.SECONDS);
    return client;
  }

  @Test
  void negotiatesCapabilitiesAndRecordsTheVersionFromTheGreeting() throws Exception {
    connect();

    assertThat(client.qemuVersion())
        .isEqualTo(new QemuVersion(10, 0, 13, "Debian 1:10.0.13+ds-0+deb13u1+ftvm1"));
    assertThat(client.isOpen()).isTrue();
  }

  @Test
  void matchesRepliesToCommandsByIdEvenOutOfOrder() throws Exception {
    connect();
    ObjectMapper mapper = new ObjectMapper();

    CompletableFuture<JsonNode> status = client.execute("query-status", null);
    CompletableFuture<JsonNode> name =
        client.execute("qom-get", mapper.createObjectNode().put("path", "/machine"));
    JsonNode statusRequest = server.nextRequest();
    JsonNode nameRequest = server.nextRequest();
    server.reply(nameRequest, "\"pc\"");
    server.reply(statusRequest, "{\"status\": \"running\", \"running\": true}");

    assertThat(nameRequest.path("arguments").path("path").asText()).isEqualTo("/machine");
    assertThat(name.get(5, TimeUnit.SECONDS).asText()).isEqualTo("pc");
    assertThat(status.get(5, TimeUnit.SECONDS).path("status").asText()).isEqualTo("running");
  }

  @Test
  void reportsQmpErrorsWithClassAndDescription() throws Exception {
    connect();

    CompletableFuture<JsonNode> reply = client.execute("x-no-such-command", null);
    JsonNode request = server.nextRequest();
    server.send(
        "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command x-no-such-command"
            + " has not been found\"}, \"id\": "
            + request.get("id")
            + "}\r\n");

    assertThatThrownBy(() -> reply.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            QmpCommandException.class,
            e -> {
              assertThat(e.errorClass()).isEqualTo("CommandNotFound");
              assertThat(e.description()).contains("has not been found");
              assertThat(e.command()).isEqualTo("x-no-such-command");
            });
  }

  @Test
  void timesOutACommandAndStaysUsable() throws Exception {
    connect();

    CompletableFuture<JsonNode> ignored =
        client.execute("query-status", null, Duration.ofMillis(100));
    JsonNode ignoredRequest = server.nextRequest();

    assertThatThrownBy(() -> ignored.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(QmpTimeoutException.class)
        .hasMessageContaining("within 100 ms");

    server.reply(ignoredRequest, "{}"); // a late answer must not confuse the next command
    CompletableFuture<JsonNode> next = client.execute("query-name", null);
    server.reply(server.nextRequest(), "{\"name\": \"vm\"}");
    assertThat(next.get(5, TimeUnit.SECONDS).path("name").asText()).isEqualTo("vm");
  }

  @Test
  void deliversEventsInOrderEvenWhenBatchedWithAReplyAndSplit() throws Exception {
    connect();
    List<QmpEvent> events = new CopyOnWriteArrayList<>();
    client.addEventListener(events::add);

    CompletableFuture<JsonNode> stop = client.execute("stop", null);
    JsonNode request = server.nextRequest();
    String batch =
        "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 250000}, \"event\": \"STOP\"}"
            + "\r\n{\"return\": {}, \"id\": "
            + request.get("id")
            + "}\r\n{\"timestamp\": {\"seconds\": 1700000001, \"microseconds\": 0},"
            + " \"event\": \"RESUME\", \"data\": {\"reason\": \"x\"}}\r\n";
    int cut = batch.length() / 2;
    server.sendInPieces(List.of(batch.substring(0, cut), batch.substring(cut)));

    assertThat(stop.get(5, TimeUnit.SECONDS).isEmpty()).isTrue();
    await().atMost(TIMEOUT).until(() -> events.size() == 2);
    assertThat(events).extracting(QmpEvent::name).containsExactly("STOP", "RESUME");
    assertThat(events.get(0).timestamp().toEpochMilli()).isEqualTo(1_700_000_000_250L);
    assertThat(events.get(1).data().path("reason").asText()).isEqualTo("x");
  }

  @Test
  void aThrowingListenerDoesNotStopDelivery() throws Exception {
    connect();
    List<String> seen = new CopyOnWriteArrayList<>();
    client.addEventListener(
        event -> {
          throw new IllegalStateException("listener bug");
        });
    client.addEventListener(event -> seen.add(event.name()));

    server.send("{\"event\": \"SHUTDOWN\"}\r\n{\"event\": \"POWERDOWN\"}\r\n");

    await().atMost(TIMEOUT).until(() -> seen.size() == 2);
    assertThat(seen).containsExactly("SHUTDOWN", "POWERDOWN");
  }

  @Test
  void failsOutstandingCommandsWhenQemuHangsUp() throws Exception {
    connect();

    CompletableFuture<JsonNode> pending = client.execute("query-status", null);
    server.nextRequest();
    server.disconnect();

    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(QmpConnectionClosedException.class)
        .hasMessageContaining("closed the QMP socket");
    client.closed().get(5, TimeUnit.SECONDS);
    assertThat(client.isOpen()).isFalse();
    assertThatThrownBy(() -> client.execute("query-status", null).get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(QmpConnectionClosedException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void closesTheConnectionOnProtocolGarbage() throws Exception {
    connect();
    CompletableFuture<JsonNode> pending = client.execute("query-status", null);
    server.nextRequest();

    server.send("this is not JSON\r\n");

    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(QmpConnectionClosedException.class)
        .hasMessageContaining("protocol violation")
        .hasRootCauseInstanceOf(QmpProtocolException.class);
  }

  @Test
  void closeFailsPendingCommandsAndIsIdempotent() throws Exception {
    connect();
    CompletableFuture<JsonNode> pending = client.execute("query-status", null);

    client.close();
    client.close();

    assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(QmpConnectionClosedException.class);
    assertThat(client.closed()).isDone();
  }

  @Test
  void connectFailsClearlyWhenNoGreetingArrives() throws Exception {
    server.close();
    server = new FakeQmpServer(dir.resolve("silent.sock"), null);

    assertThatThrownBy(
            () -> UnixSocketQmpClient.connect(dir.resolve("silent.sock"), Duration.ofMillis(300)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("sent no QMP greeting")
        .hasMessageContaining("silent.sock")
        .hasMessageContaining("300 ms");
  }

  @Test
  void connectFailsClearlyWhenNothingListens() {
    assertThatThrownBy(() -> UnixSocketQmpClient.connect(dir.resolve("absent.sock"), TIMEOUT))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot connect to QMP socket")
        .hasMessageContaining("absent.sock");
  }
}
