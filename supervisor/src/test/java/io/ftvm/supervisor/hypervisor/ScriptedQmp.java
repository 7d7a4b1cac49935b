package io.ftvm.supervisor.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftvm.supervisor.qmp.QemuVersion;
import io.ftvm.supervisor.qmp.QmpClient;
import io.ftvm.supervisor.qmp.QmpCommandException;
import io.ftvm.supervisor.qmp.QmpEvent;
import io.ftvm.supervisor.qmp.QmpEventListener;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A QMP peer for unit tests: each command is answered by a handler (default: an empty return),
 * calls are recorded in order, and handlers may emit events, which listeners get synchronously.
 */
final class ScriptedQmp implements QmpClient {
  static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Function<ObjectNode, JsonNode>> handlers = new HashMap<>();
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final List<QmpEventListener> listeners = new CopyOnWriteArrayList<>();

  ScriptedQmp on(String command, Function<ObjectNode, JsonNode> handler) {
    handlers.put(command, handler);
    return this;
  }

  ScriptedQmp on(String command, String json) {
    return on(command, a -> parse(json));
  }

  ScriptedQmp failing(String command, String description) {
    handlers.put(
        command,
        a -> {
          throw new IllegalStateException(
              new QmpCommandException(command, "GenericError", description));
        });
    return this;
  }

  void emit(String name, String data, Instant at) {
    QmpEvent event = new QmpEvent(name, parse(data), at);
    for (QmpEventListener listener : listeners) {
      listener.onEvent(event);
    }
  }

  List<String> calls() {
    return new ArrayList<>(calls);
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(json, e);
    }
  }

  @Override
  public QemuVersion qemuVersion() {
    return null;
  }

  @Override
  public CompletableFuture<JsonNode> execute(
      String command, ObjectNode arguments, Duration timeout) {
    calls.add(command);
    Function<ObjectNode, JsonNode> handler = handlers.get(command);
    try {
      return CompletableFuture.completedFuture(
          handler == null ? JSON.createObjectNode() : handler.apply(arguments));
    } catch (IllegalStateException e) {
      return CompletableFuture.failedFuture(e.getCause() == null ? e : e.getCause());
    }
  }

  @Override
  public CompletableFuture<JsonNode> execute(String command, ObjectNode arguments) {
    return execute(command, arguments, Duration.ofSeconds(1));
  }

  @Override
  public JsonNode executeAndWait(String command) {
    return execute(command, null).join();
  }

  @Override
  public void addEventListener(QmpEventListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeEventListener(QmpEventListener listener) {
    listeners.remove(listener);
  }

  @Override
  public CompletableFuture<Void> closed() {
    return new CompletableFuture<>();
  }

  @Override
  public boolean isOpen() {
    return true;
  }

  @Override
  public void close() {}
}
