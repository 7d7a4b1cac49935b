package io.ftvm.supervisor.pair;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's admin interface: one JSON request per line on a Unix socket in its state directory
 * ({@code {"command":"status"}}, {@code failover}, {@code protect}, {@code stop}), one JSON reply
 * per line. File modes are the access control (see {@link AdminAccess}): the socket is 0600 (0660
 * with an admin group) and lives in the 0700 (0750) state directory, so it is never reachable by
 * others, not even between bind and chmod.
 */
public final class ControlServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
  private final ServerSocketChannel server;
  private final Path path;
  private final ControlTarget supervisor;
  private final ObjectMapper mapper = PairConfig.mapper();
  private volatile boolean closed;

  private ControlServer(ServerSocketChannel server, Path path, ControlTarget supervisor) {
    this.server = server;
    this.path = path;
    this.supervisor = supervisor;
  }

  /** Root only. */
  public static ControlServer start(Path path, ControlTarget supervisor) throws IOException {
    return start(path, supervisor, AdminAccess.rootOnly());
  }

  public static ControlServer start(Path path, ControlTarget supervisor, AdminAccess access)
      throws IOException {
    access.restrictDirectory(path.toAbsolutePath().getParent());
    Files.deleteIfExists(path);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    try {
      access.restrictSocket(path);
    } catch (IOException e) {
      server.close();
      throw e;
    }
    log.info("Control socket {} ({})", path, access.describe());
    ControlServer control = new ControlServer(server, path, supervisor);
    Thread thread = new Thread(control::serve, "control");
    thread.setDaemon(true);
    thread.start();
    return control;
  }

  private void serve() {
    while (!closed) {
      try (SocketChannel client = server.accept()) {
        handle(client);
      } catch (IOException e) {
        if (!closed) {
          log.warn("control connection failed: {}", e.getMessage());
        }
      } catch (RuntimeException | LinkageError e) {
        // One bad request must not take the admin's only handle on this node with it.
        log.error("control request failed; still serving", e);
      }
    }
  }

  private void handle(SocketChannel client) throws IOException {
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
    OutputStream out = Channels.newOutputStream(client);
    String line = in.readLine();
    if (line == null) {
      return;
    }
    ObjectNode reply = mapper.createObjectNode();
    try {
      JsonNode request = mapper.readTree(line);
      String command = request.path("command").asText("");
      switch (command) {
        case "status" -> reply.set("status", mapper.valueToTree(supervisor.status()));
        case "failover" -> {
          String outcome = supervisor.failover().get(60, TimeUnit.SECONDS);
          reply.put("result", outcome);
        }
        case "protect" -> reply.put("result", supervisor.protect());
        case "stop" -> {
          supervisor.stop();
          reply.put("result", "stopping");
        }
        default -> reply.put("error", "unknown command '" + command + "'");
      }
    } catch (Exception | LinkageError e) {
      log.error("control command '{}' failed", line, e);
      reply.put("error", e.getCause() != null ? e.getCause().getMessage() : String.valueOf(e));
    }
    out.write(
        (mapper
                    .writer()
                    .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(reply)
                + "\n")
            .getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    Files.deleteIfExists(path);
  }
}
