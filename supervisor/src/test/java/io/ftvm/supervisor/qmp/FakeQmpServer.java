package io.ftvm.supervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted QMP peer on a real Unix socket: sends a greeting on accept, then hands every request
 * it receives to the test, which answers with raw text (so it can split, batch or corrupt).
 */
final class FakeQmpServer implements AutoCloseable {
  static final String GREETING =
      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 13, \"minor\": 0, \"major\": 10},"
          + " \"package\": \"Debian 1:10.0.13+ds-0+deb13u1+ftvm1\"}, \"capabilities\": []}}\r\n";

  private final Path path;
  private final ServerSocketChannel server;
  private final BlockingQueue<JsonNode> requests = new LinkedBlockingQueue<>();
  private final ObjectMapper mapper = new ObjectMapper();
  private final Thread acceptor;
  private volatile SocketChannel client;

  FakeQmpServer(Path path, String greeting) throws IOException {
    this.path = path;
    this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    this.acceptor = new Thread(() -> serve(greeting), "fake-qmp");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  private void serve(String greeting) {
    try {
      client = server.accept();
      if (greeting != null) {
        send(greeting);
      }
      QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (client.read(buffer.clear()) >= 0) {
        for (JsonNode request : decoder.feed(buffer.array(), 0, buffer.position())) {
          requests.add(request);
        }
      }
    } catch (IOException e) {
      // The test closed us; nothing to report.
    }
  }

  /** The next request the client sent, or fails the test after 5 s. */
  JsonNode nextRequest() throws InterruptedException {
    JsonNode request = requests.poll(5, TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("client sent no request within 5 s");
    }
    return request;
  }

  /** Answers capabilities negotiation so that connect() returns. */
  void acceptCapabilities() throws Exception {
    JsonNode request = nextRequest();
    if (!request.path("execute").asText().equals("qmp_capabilities")) {
      throw new AssertionError("expected qmp_capabilities first, got " + request);
    }
    reply(request, "{}");
  }

  void reply(JsonNode request, String returnValue) throws IOException {
    send("{\"return\": " + returnValue + ", \"id\": " + request.get("id") + "}\r\n");
  }

  void send(String raw) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap(raw.getBytes(StandardCharsets.UTF_8));
    synchronized (this) {
      while (bytes.hasRemaining()) {
        client.write(bytes);
      }
    }
  }

  void sendInPieces(List<String> pieces) throws IOException {
    for (String piece : pieces) {
      send(piece);
    }
  }

  void disconnect() throws IOException {
    client.close();
  }

  @Override
  public void close() throws Exception {
    server.close();
    if (client != null) {
      client.close();
    }
    acceptor.join(5000);
    Files.deleteIfExists(path);
  }
}
