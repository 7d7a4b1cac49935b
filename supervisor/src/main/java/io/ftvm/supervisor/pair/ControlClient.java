package io.ftvm.supervisor.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Talks to a node's {@link ControlServer}. Every request has a reply deadline: a supervisor that
 * accepted the connection but never answers (wedged, or its control thread died) must not hang
 * {@code ftvm status}, {@code stop} or a test's cleanup forever.
 */
public final class ControlClient {
  /** A planned failover waits up to 60 s on the server for the backup's ack; the rest is quick. */
  static final Duration FAILOVER_REPLY_TIMEOUT = Duration.ofSeconds(90);

  static final Duration DEFAULT_REPLY_TIMEOUT = Duration.ofSeconds(15);

  private final Path socket;
  private final ObjectMapper mapper = new ObjectMapper();

  public ControlClient(Path socket) {
    this.socket = socket;
  }

  public boolean reachable() {
    return Files.exists(socket);
  }

  public JsonNode request(String command) throws IOException {
    return request(
        command, command.equals("failover") ? FAILOVER_REPLY_TIMEOUT : DEFAULT_REPLY_TIMEOUT);
  }

  public JsonNode request(String command, Duration replyTimeout) throws IOException {
    if (!Files.exists(socket)) {
      throw new IOException("no supervisor is listening at " + socket);
    }
    AtomicBoolean timedOut = new AtomicBoolean();
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      // Closing the channel is what unblocks a read in progress (AsynchronousCloseException).
      CompletableFuture.delayedExecutor(replyTimeout.toMillis(), TimeUnit.MILLISECONDS)
          .execute(
              () -> {
                if (channel.isOpen()) {
                  timedOut.set(true);
                  closeQuietly(channel);
                }
              });
      return exchange(channel, command);
    } catch (IOException e) {
      if (timedOut.get()) {
        throw new IOException(
            "supervisor at "
                + socket
                + " did not answer '"
                + command
                + "' within "
                + replyTimeout.toMillis()
                + " ms",
            e);
      }
      throw e;
    }
  }

  private JsonNode exchange(SocketChannel channel, String command) throws IOException {
    channel.connect(UnixDomainSocketAddress.of(socket));
    var out = Channels.newOutputStream(channel);
    out.write(("{\"command\":\"" + command + "\"}\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    String line = in.readLine();
    if (line == null) {
      throw new IOException("supervisor at " + socket + " closed the connection");
    }
    JsonNode reply = mapper.readTree(line);
    if (reply.has("error")) {
      throw new IOException(command + " failed: " + reply.get("error").asText());
    }
    return reply;
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // the request fails with the timeout either way
    }
  }

  public NodeStatus status() throws IOException {
    return PairConfig.mapper().treeToValue(request("status").get("status"), NodeStatus.class);
  }
}
