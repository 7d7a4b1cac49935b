package io.ftvm.supervisor.hypervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The supervisor side of a socket console: bound before QEMU starts (QEMU connects as a client and
 * fails if nobody listens), then accepts exactly one connection.
 */
final class SocketConsoleListener implements AutoCloseable {
  private final Path path;
  private final ServerSocketChannel server;
  private final CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();

  private SocketConsoleListener(Path path, ServerSocketChannel server) {
    this.path = path;
    this.server = server;
  }

  static SocketConsoleListener bind(Path path) throws IOException {
    Files.deleteIfExists(path);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      server.bind(UnixDomainSocketAddress.of(path), 1);
    } catch (IOException e) {
      server.close();
      throw new IOException("cannot listen for the console on " + path + ": " + e.getMessage(), e);
    }
    SocketConsoleListener listener = new SocketConsoleListener(path, server);
    Thread acceptor = new Thread(listener::acceptOne, "console-accept-" + path.getFileName());
    acceptor.setDaemon(true);
    acceptor.start();
    return listener;
  }

  private void acceptOne() {
    try {
      accepted.complete(server.accept());
    } catch (IOException e) {
      accepted.completeExceptionally(e);
    }
  }

  /** Waits for QEMU to connect. */
  VmConsole awaitConnection(Duration timeout) throws IOException, InterruptedException {
    try {
      SocketChannel channel = accepted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new SocketConsole(path, channel);
    } catch (TimeoutException e) {
      throw new IOException(
          "QEMU did not connect to the console socket "
              + path
              + " within "
              + timeout.toMillis()
              + " ms");
    } catch (ExecutionException e) {
      throw new IOException(
          "accepting the console connection on " + path + " failed", e.getCause());
    } finally {
      close();
    }
  }

  /** Stops listening and removes the socket file; an accepted connection stays open. */
  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(path);
  }

  /**
   * Streams directly over the channel. {@code Channels.newInputStream} would serialise reads and
   * writes on one lock, so a reader blocked waiting for guest output would block console input.
   */
  private static final class SocketConsole implements VmConsole {
    private final Path path;
    private final SocketChannel channel;

    SocketConsole(Path path, SocketChannel channel) {
      this.path = path;
      this.channel = channel;
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public InputStream guestOutput() {
      return new InputStream() {
        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          int n = read(one, 0, 1);
          return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
          if (length == 0) {
            return 0;
          }
          int n;
          do {
            n = channel.read(ByteBuffer.wrap(buffer, offset, length));
          } while (n == 0);
          return n;
        }
      };
    }

    @Override
    public OutputStream guestInput() {
      return new OutputStream() {
        @Override
        public void write(int b) throws IOException {
          write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] buffer, int offset, int length) throws IOException {
          ByteBuffer bytes = ByteBuffer.wrap(buffer, offset, length);
          while (bytes.hasRemaining()) {
            channel.write(bytes);
          }
        }
      };
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
