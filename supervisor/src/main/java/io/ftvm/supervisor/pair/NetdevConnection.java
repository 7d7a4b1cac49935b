package io.ftvm.supervisor.pair;

import java.io.EOFException;
import java.io.IOException;
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
 * The supervisor's end of QEMU's {@code -netdev stream} NIC backend: a Unix socket carrying
 * Ethernet frames, each preceded by its length as a 4-byte big-endian number (QEMU's framing). The
 * supervisor binds before QEMU starts; QEMU connects as a client.
 */
public final class NetdevConnection implements AutoCloseable {
  /** Jumbo frames are off in the guest; anything larger is a framing error. */
  static final int MAX_FRAME = 65536 + 64;

  private final ServerSocketChannel server;
  private final Path path;
  private final CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
  private final ByteBuffer header = ByteBuffer.allocate(4);
  private final Object writeLock = new Object();

  private NetdevConnection(ServerSocketChannel server, Path path) {
    this.server = server;
    this.path = path;
  }

  public static NetdevConnection bind(Path path) throws IOException {
    Files.deleteIfExists(path);
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(path));
    NetdevConnection connection = new NetdevConnection(server, path);
    Thread acceptor =
        new Thread(
            () -> {
              try {
                connection.accepted.complete(server.accept());
              } catch (IOException e) {
                connection.accepted.completeExceptionally(e);
              }
            },
            "netdev-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    return connection;
  }

  public Path path() {
    return path;
  }

  /** True once QEMU connected (the socket then serves that QEMU only). */
  public boolean isConnected() {
    return accepted.isDone();
  }

  public void awaitConnected(Duration timeout) throws IOException {
    channel(timeout);
  }

  /** Blocks for the next frame from the guest; throws EOFException when QEMU is gone. */
  public byte[] readFrame() throws IOException {
    SocketChannel channel = channel(Duration.ofDays(1));
    header.clear();
    readFully(channel, header);
    int length = header.flip().getInt();
    if (length <= 0 || length > MAX_FRAME) {
      throw new IOException("netdev stream framing broken: frame length " + length);
    }
    ByteBuffer frame = ByteBuffer.allocate(length);
    readFully(channel, frame);
    return frame.array();
  }

  /** Hands a frame from the outside world to the guest's NIC. */
  public void writeFrame(byte[] frame, int offset, int length) throws IOException {
    SocketChannel channel = channel(Duration.ofDays(1));
    ByteBuffer out = ByteBuffer.allocate(4 + length).putInt(length).put(frame, offset, length);
    out.flip();
    synchronized (writeLock) {
      while (out.hasRemaining()) {
        channel.write(out);
      }
    }
  }

  private SocketChannel channel(Duration timeout) throws IOException {
    try {
      return accepted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("QEMU did not connect its NIC to " + path, e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("QEMU did not connect its NIC to " + path + " within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted waiting for QEMU's NIC connection", e);
    }
  }

  private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new EOFException("QEMU closed its NIC connection");
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    accepted.thenAccept(
        c -> {
          try {
            c.close();
          } catch (IOException ignored) {
            // closing: nothing to do
          }
        });
    if (!accepted.isDone()) {
      accepted.cancel(true);
    }
    Files.deleteIfExists(path);
  }
}
