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

/** Talks to a node's {@link ControlServer}. */
public final class ControlClient {
  private final Path socket;
  private final ObjectMapper mapper = new ObjectMapper();

  public ControlClient(Path socket) {
    this.socket = socket;
  }

  public boolean reachable() {
    return Files.exists(socket);
  }

  public JsonNode request(String command) throws IOException {
    if (!Files.exists(socket)) {
      throw new IOException("no supervisor is listening at " + socket);
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
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
  }

  public NodeStatus status() throws IOException {
    return PairConfig.mapper().treeToValue(request("status").get("status"), NodeStatus.class);
  }
}
