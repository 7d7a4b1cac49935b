package io.ftvm.supervisor.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftvm.supervisor.qmp.QmpClient;
import io.ftvm.supervisor.qmp.QmpEvent;
import io.ftvm.supervisor.qmp.QmpEventListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * The QMP calls of a clone, with errors turned into {@link CloneException}s that say what failed.
 */
final class CloneQmp {
  private final QmpClient qmp;
  private final Duration timeout;

  CloneQmp(QmpClient qmp, Duration timeout) {
    this.qmp = qmp;
    this.timeout = timeout;
  }

  QmpClient qmpClient() {
    return qmp;
  }

  static ObjectNode args() {
    return JsonNodeFactory.instance.objectNode();
  }

  JsonNode call(String command) throws CloneException, InterruptedException {
    return call(command, null, timeout);
  }

  JsonNode call(String command, ObjectNode arguments) throws CloneException, InterruptedException {
    return call(command, arguments, timeout);
  }

  JsonNode call(String command, ObjectNode arguments, Duration limit)
      throws CloneException, InterruptedException {
    try {
      return qmp.execute(command, arguments, limit).get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new CloneException(command + " failed: " + cause.getMessage(), cause);
    }
  }

  /**
   * The node name behind a {@code -drive} id ({@code query-block}); a name that is no drive is
   * taken for a node name.
   */
  String nodeName(String driveOrNode) throws CloneException, InterruptedException {
    for (JsonNode device : call("query-block")) {
      if (device.path("device").asText().equals(driveOrNode)) {
        String node = device.path("inserted").path("node-name").asText("");
        if (!node.isEmpty()) {
          return node;
        }
      }
    }
    return driveOrNode;
  }

  /** {@code query-status}'s status, e.g. {@code running}, {@code paused}, {@code postmigrate}. */
  String runState() throws CloneException, InterruptedException {
    return call("query-status").path("status").asText();
  }

  /** A future for the first event named {@code name} whose data matches; remove it when done. */
  EventWaiter waitFor(String name, Predicate<JsonNode> data) {
    EventWaiter waiter = new EventWaiter(qmp, name, data);
    qmp.addEventListener(waiter);
    return waiter;
  }

  /** QEMU's spelling of a TCP address in migration URIs and NBD addresses. */
  static String host(InetSocketAddress address) {
    String host = address.getAddress().getHostAddress();
    return host.contains(":") ? "[" + host + "]" : host;
  }

  static ObjectNode inet(InetSocketAddress address) {
    ObjectNode inet = args();
    inet.put("host", address.getAddress().getHostAddress());
    inet.put("port", Integer.toString(address.getPort()));
    return inet;
  }

  /** One awaited QMP event. */
  static final class EventWaiter implements QmpEventListener, AutoCloseable {
    private final QmpClient qmp;
    private final String name;
    private final Predicate<JsonNode> data;
    private final CompletableFuture<QmpEvent> event = new CompletableFuture<>();

    private EventWaiter(QmpClient qmp, String name, Predicate<JsonNode> data) {
      this.qmp = qmp;
      this.name = name;
      this.data = data;
    }

    @Override
    public void onEvent(QmpEvent e) {
      if (e.name().equals(name) && data.test(e.data())) {
        event.complete(e);
      }
    }

    QmpEvent await(Duration limit, String what) throws CloneException, InterruptedException {
      try {
        return event.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new CloneException(what + " did not happen within " + limit);
      } catch (ExecutionException e) {
        throw new CloneException(what + ": " + e.getCause(), e.getCause());
      }
    }

    /** Waits up to {@code limit} for the event, without failing if it does not come. */
    void awaitQuietly(Duration limit) throws InterruptedException {
      try {
        event.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // polled again by the caller
      }
    }

    boolean happened() {
      return event.isDone();
    }

    @Override
    public void close() {
      qmp.removeEventListener(this);
    }
  }
}
