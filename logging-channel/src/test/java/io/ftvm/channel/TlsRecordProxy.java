package io.ftvm.channel;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A man in the middle on 127.0.0.1: forwards one connection both ways, records every TLS record the
 * client sends, and on request injects a copy of an earlier recorded record into the live
 * client-to-server stream (a replay).
 */
final class TlsRecordProxy implements AutoCloseable {
  private static final int APPLICATION_DATA = 23;
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final List<byte[]> clientRecords = new CopyOnWriteArrayList<>();
  private final ByteArrayOutputStream clientBytes = new ByteArrayOutputStream();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final boolean tlsRecords;
  private volatile boolean replayNext;

  /** {@code tlsRecords}: the client speaks TLS (else bytes are forwarded and recorded as is). */
  TlsRecordProxy(InetSocketAddress target, boolean tlsRecords) throws IOException {
    this.target = target;
    this.tlsRecords = tlsRecords;
    this.listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::acceptOne, "tls-proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
    threads.add(acceptor);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** After the next application-data record from the client, resend an earlier one. */
  void replayAnEarlierRecord() {
    replayNext = true;
  }

  /** Every byte the client sent, in order. */
  synchronized byte[] clientBytes() {
    return clientBytes.toByteArray();
  }

  int applicationRecords() {
    return (int) clientRecords.stream().filter(r -> r[0] == APPLICATION_DATA).count();
  }

  private void acceptOne() {
    try {
      Socket client = listener.accept();
      Socket server = new Socket(target.getAddress(), target.getPort());
      sockets.add(client);
      sockets.add(server);
      Thread up = new Thread(() -> clientToServer(client, server), "tls-proxy-up");
      Thread down = new Thread(() -> pipe(server, client), "tls-proxy-down");
      up.setDaemon(true);
      down.setDaemon(true);
      up.start();
      down.start();
    } catch (IOException e) {
      // closed
    }
  }

  private void clientToServer(Socket client, Socket server) {
    if (!tlsRecords) {
      rawClientToServer(client, server);
      return;
    }
    try (DataInputStream in = new DataInputStream(client.getInputStream())) {
      OutputStream out = server.getOutputStream();
      while (true) {
        byte[] header = new byte[5];
        in.readFully(header);
        int length = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
        byte[] record = new byte[5 + length];
        System.arraycopy(header, 0, record, 0, 5);
        in.readFully(record, 5, length);
        synchronized (this) {
          clientBytes.write(record);
        }
        out.write(record);
        if (record[0] == APPLICATION_DATA && replayNext && applicationRecords() > 2) {
          replayNext = false;
          byte[] earlier =
              clientRecords.stream()
                  .filter(r -> r[0] == APPLICATION_DATA)
                  .skip(1)
                  .findFirst()
                  .orElseThrow();
          out.write(earlier);
        }
        out.flush();
        clientRecords.add(record);
      }
    } catch (IOException e) {
      closeQuietly();
    }
  }

  private void rawClientToServer(Socket client, Socket server) {
    try {
      InputStream in = client.getInputStream();
      OutputStream out = server.getOutputStream();
      byte[] buffer = new byte[16384];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        synchronized (this) {
          clientBytes.write(buffer, 0, n);
        }
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // closed
    } finally {
      closeQuietly();
    }
  }

  private void pipe(Socket from, Socket to) {
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      in.transferTo(out);
    } catch (IOException e) {
      // closed
    } finally {
      closeQuietly();
    }
  }

  private void closeQuietly() {
    for (Socket socket : sockets) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // best effort
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    closeQuietly();
  }
}
