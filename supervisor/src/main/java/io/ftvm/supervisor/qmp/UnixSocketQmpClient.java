package io.ftvm.supervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * QMP over a Unix stream socket (QEMU's {@code -qmp unix:PATH,server=on,wait=off}).
 *
 * <p>Threads: one reader thread per connection owns the socket's input side and the decoder; events
 * are handed to a separate single event thread so a slow listener never delays command replies; a
 * scheduler thread expires commands whose deadline passed.
 */
public final class UnixSocketQmpClient implements QmpClient {
  private static final Logger log = LoggerFactory.getLogger(UnixSocketQmpClient.class);

  private final Path socketPath;
  private final SocketChannel channel;
  private final ObjectMapper mapper;
  private final Duration defaultTimeout;
  private final QmpStreamDecoder decoder;
  private final Map<Long, PendingCommand> pending = new ConcurrentHashMap<>();
  private final List<QmpEventListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private final AtomicBoolean open = new AtomicBoolean(true);
  private final Object writeLock = new Object();
  private final CompletableFuture<QemuVersion> greeting = new CompletableFuture<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final ExecutorService eventThread;
  private final ScheduledExecutorService timeoutThread;
  private final Thread readerThread;

  private record PendingCommand(
      String command, Duration timeout, CompletableFuture<JsonNode> reply) {}

  private UnixSocketQmpClient(
      Path socketPath, SocketChannel channel, ObjectMapper mapper, Duration defaultTimeout) {
    this.socketPath = socketPath;
    this.channel = channel;
    this.mapper = mapper;
    this.defaultTimeout = defaultTimeout;
    this.decoder = new QmpStreamDecoder(mapper);
    String label = socketPath.getFileName().toString();
    this.eventThread = Executors.newSingleThreadExecutor(daemon("qmp-events-" + label));
    this.timeoutThread = Executors.newSingleThreadScheduledExecutor(daemon("qmp-timer-" + label));
    this.readerThread = daemon("qmp-reader-" + label).newThread(this::readLoop);
  }

  /**
   * Connects to an existing QMP socket, waits for the greeting and negotiates capabilities.
   *
   * @param timeout bound for the greeting and the {@code qmp_capabilities} reply, and the default
   *     per-command timeout afterwards
   */
  public static UnixSocketQmpClient connect(Path socketPath, Duration timeout) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socketPath));
    } catch (IOException e) {
      channel.close();
      throw new IOException(
          "cannot connect to QMP socket " + socketPath + ": " + e.getMessage(), e);
    }
    UnixSocketQmpClient client =
        new UnixSocketQmpClient(socketPath, channel, new ObjectMapper(), timeout);
    try {
      client.readerThread.start();
      client.negotiate(timeout);
      return client;
    } catch (RuntimeException | IOException e) {
      client.close();
      throw e;
    }
  }

  private void negotiate(Duration timeout) throws IOException {
    QemuVersion version = await(greeting, timeout, "QMP greeting");
    log.debug("QMP greeting on {}: {}", socketPath, version);
    await(
        execute("qmp_capabilities", null, timeout),
        timeout.plusSeconds(1),
        "answer to qmp_capabilities");
  }

  private <T> T await(CompletableFuture<T> future, Duration timeout, String what)
      throws IOException {
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "QEMU sent no " + what + " on " + socketPath + " within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + what + " on " + socketPath, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException("waiting for " + what + " on " + socketPath + " failed", e.getCause());
    }
  }

  @Override
  public QemuVersion qemuVersion() {
    return greeting.getNow(null);
  }

  @Override
  public CompletableFuture<JsonNode> execute(String command, ObjectNode arguments) {
    return execute(command, arguments, defaultTimeout);
  }

  @Override
  public JsonNode executeAndWait(String command) {
    try {
      return execute(command, null).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QmpException("interrupted while waiting for QMP command '" + command + "'", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof QmpException qmp) {
        throw qmp;
      }
      throw new QmpException("QMP command '" + command + "' failed", e.getCause());
    }
  }

  @Override
  public CompletableFuture<JsonNode> execute(
      String command, ObjectNode arguments, Duration timeout) {
    CompletableFuture<JsonNode> reply = new CompletableFuture<>();
    if (!open.get()) {
      reply.completeExceptionally(
          new QmpConnectionClosedException(
              "QMP connection " + socketPath + " is closed; cannot send '" + command + "'"));
      return reply;
    }
    long id = nextId.getAndIncrement();
    ObjectNode request = mapper.createObjectNode().put("execute", command).put("id", id);
    if (arguments != null) {
      request.set("arguments", arguments);
    }
    pending.put(id, new PendingCommand(command, timeout, reply));
    try {
      // Scheduled after registration so even a tiny timeout finds the command to expire.
      ScheduledFuture<?> expiry =
          timeoutThread.schedule(
              () -> expire(id), Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      reply.whenComplete((result, failure) -> expiry.cancel(false));
      send(request);
    } catch (RejectedExecutionException e) {
      fail(
          id,
          new QmpConnectionClosedException(
              "QMP connection " + socketPath + " closed while sending '" + command + "'"));
    } catch (IOException e) {
      fail(
          id,
          new QmpConnectionClosedException(
              "sending '" + command + "' to " + socketPath + " failed: " + e.getMessage(), e));
    }
    return reply;
  }

  private void send(ObjectNode request) throws IOException {
    byte[] bytes = (mapper.writeValueAsString(request) + "\r\n").getBytes(StandardCharsets.UTF_8);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    synchronized (writeLock) {
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
    }
  }

  private void expire(long id) {
    PendingCommand command = pending.remove(id);
    if (command != null) {
      log.warn("QMP command '{}' (id {}) on {} timed out", command.command(), id, socketPath);
      command
          .reply()
          .completeExceptionally(new QmpTimeoutException(command.command(), command.timeout()));
    }
  }

  private void fail(long id, QmpException failure) {
    PendingCommand command = pending.remove(id);
    if (command != null) {
      command.reply().completeExceptionally(failure);
    }
  }

  private void readLoop() {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    QmpConnectionClosedException reason;
    try {
      while (true) {
        buffer.clear();
        int read = channel.read(buffer);
        if (read < 0) {
          reason = new QmpConnectionClosedException("QEMU closed the QMP socket " + socketPath);
          break;
        }
        for (JsonNode message : decoder.feed(buffer.array(), 0, read)) {
          dispatch(message);
        }
      }
    } catch (QmpProtocolException e) {
      log.error("QMP peer on {} violated the protocol: {}", socketPath, e.getMessage());
      reason = new QmpConnectionClosedException("QMP protocol violation on " + socketPath, e);
    } catch (IOException e) {
      reason =
          new QmpConnectionClosedException(
              open.get()
                  ? "reading QMP socket " + socketPath + " failed: " + e.getMessage()
                  : "QMP connection " + socketPath + " was closed",
              e);
    }
    shutDown(reason);
  }

  private void dispatch(JsonNode message) {
    log.trace("QMP <- {}", message);
    if (message.has("QMP")) {
      greeting.complete(parseGreeting(message.get("QMP")));
    } else if (message.has("event")) {
      QmpEvent event = toEvent(message);
      eventThread.execute(() -> deliver(event));
    } else if (message.has("return") || message.has("error")) {
      completeCommand(message);
    } else {
      log.warn("ignoring QMP message of unknown shape on {}: {}", socketPath, message);
    }
  }

  private void completeCommand(JsonNode message) {
    JsonNode id = message.get("id");
    if (id == null || !id.canConvertToLong()) {
      // QEMU answers requests it could not parse without an id; nothing to match it to.
      log.warn("QMP reply without a usable id on {}: {}", socketPath, message);
      return;
    }
    PendingCommand command = pending.remove(id.asLong());
    if (command == null) {
      log.debug("late QMP reply for id {} on {} (already timed out?)", id, socketPath);
      return;
    }
    JsonNode error = message.get("error");
    if (error != null) {
      command
          .reply()
          .completeExceptionally(
              new QmpCommandException(
                  command.command(),
                  error.path("class").asText("GenericError"),
                  error.path("desc").asText("")));
    } else {
      command.reply().complete(message.get("return"));
    }
  }

  static QemuVersion parseGreeting(JsonNode qmp) {
    JsonNode version = qmp.path("version");
    JsonNode qemu = version.path("qemu");
    return new QemuVersion(
        qemu.path("major").asInt(),
        qemu.path("minor").asInt(),
        qemu.path("micro").asInt(),
        version.path("package").asText(""));
  }

  private QmpEvent toEvent(JsonNode message) {
    JsonNode timestamp = message.path("timestamp");
    Instant when =
        timestamp.isObject()
            ? Instant.ofEpochSecond(
                timestamp.path("seconds").asLong(), timestamp.path("microseconds").asLong() * 1000)
            : Instant.now();
    JsonNode data = message.has("data") ? message.get("data") : mapper.createObjectNode();
    return new QmpEvent(message.get("event").asText(), data, when);
  }

  private void deliver(QmpEvent event) {
    for (QmpEventListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        log.error("QMP event listener failed on {} for {}", socketPath, event.name(), e);
      }
    }
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
    return closed;
  }

  @Override
  public boolean isOpen() {
    return open.get();
  }

  @Override
  public void close() {
    shutDown(new QmpConnectionClosedException("QMP connection " + socketPath + " was closed"));
  }

  private void shutDown(QmpConnectionClosedException reason) {
    if (!open.compareAndSet(true, false)) {
      return;
    }
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("closing QMP socket {} failed", socketPath, e);
    }
    greeting.completeExceptionally(reason);
    for (Long id : List.copyOf(pending.keySet())) {
      fail(id, reason);
    }
    timeoutThread.shutdownNow();
    // Let already queued events reach listeners; the executor ends after them.
    eventThread.shutdown();
    closed.complete(null);
    log.debug("QMP connection {} ended: {}", socketPath, reason.getMessage());
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
