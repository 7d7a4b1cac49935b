package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ControlClientTest {
  @TempDir Path dir;

  /**
   * A supervisor whose control thread died still has its socket bound: the kernel accepts the
   * connection and nobody ever answers. Seen in a test's cleanup, which then hung for 20 minutes.
   */
  @Test
  @Timeout(10)
  void aSupervisorThatAcceptsButNeverAnswersFailsTheRequestAtItsDeadline() throws IOException {
    Path socket = dir.resolve("control.sock");
    try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      silent.bind(UnixDomainSocketAddress.of(socket)); // listens, never accepts nor replies
      ControlClient client = new ControlClient(socket);

      assertThatThrownBy(() -> client.request("status", Duration.ofMillis(300)))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("did not answer 'status' within 300 ms");
    }
  }

  @Test
  @Timeout(10)
  void aSupervisorThatAcceptsAndClosesFailsAtOnce() throws Exception {
    Path socket = dir.resolve("control.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Thread closer =
          new Thread(
              () -> {
                try (SocketChannel accepted = server.accept()) {
                  // closes at once
                } catch (IOException e) {
                  // the test fails on the client's side if this never happened
                }
              });
      closer.start();
      ControlClient client = new ControlClient(socket);

      assertThatThrownBy(() -> client.request("status", Duration.ofSeconds(5)))
          .isInstanceOf(IOException.class)
          .hasMessageNotContaining("did not answer"); // a closed peer fails at once, not at 5 s
      closer.join();
    }
  }
}
