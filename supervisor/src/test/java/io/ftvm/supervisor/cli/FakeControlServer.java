package io.ftvm.supervisor.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.pair.PairConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A node's control socket speaking the ControlServer protocol (one JSON line each way), answering
 * from a scripted status; records the commands it got.
 */
final class FakeControlServer implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Path socket;
  private final Thread thread;
  private volatile Supplier<NodeStatus> status;
  private volatile String failoverResult = "handed off at log byte 4096";
  private volatile Runnable onFailover = () -> {};
  final List<String> commands = new CopyOnWriteArrayList<>();

  private FakeControlServer(Path socket, Supplier<NodeStatus> status) throws IOException {
    this.socket = socket;
    this.status = status;
    Files.createDirectories(socket.getParent());
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    this.thread = new Thread(this::serve, "fake-control-" + socket.getParent().getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  static FakeControlServer at(Path nodeDirectory, Supplier<NodeStatus> status) throws IOException {
    return new FakeControlServer(nodeDirectory.resolve("control.sock"), status);
  }

  FakeControlServer status(Supplier<NodeStatus> newStatus) {
    this.status = newStatus;
    return this;
  }

  FakeControlServer onFailover(Runnable action) {
    this.onFailover = action;
    return this;
  }

  private void serve() {
    while (server.isOpen()) {
      try (SocketChannel client = server.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(client), StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null) {
          continue;
        }
        var mapper = PairConfig.mapper();
        String command = mapper.readTree(line).path("command").asText();
        commands.add(command);
        ObjectNode reply = mapper.createObjectNode();
        switch (command) {
          case "status" -> reply.set("status", mapper.valueToTree(status.get()));
          case "failover" -> {
            onFailover.run();
            reply.put("result", failoverResult);
          }
          case "stop" -> reply.put("result", "stopping");
          default -> reply.put("error", "unknown command '" + command + "'");
        }
        String json =
            mapper
                .writer()
                .without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(reply);
        Channels.newOutputStream(client).write((json + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // closed, or a client hung up: keep serving until closed
      }
    }
  }

  @Override
  public void close() throws Exception {
    server.close();
    thread.join(5000);
    Files.deleteIfExists(socket);
  }
}
