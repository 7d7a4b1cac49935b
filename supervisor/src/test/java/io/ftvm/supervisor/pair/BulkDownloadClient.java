package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Runs on the client host (inside its namespace, as its own JVM): asks the guest's bulk service for
 * N bytes over ONE TCP connection and checks every byte against the service's pattern, byte i being
 * {@code i ^ i>>8 ^ i>>16} (test-vms/README.md), so a lost, repeated or reordered segment shows
 * without a copy of the stream.
 *
 * <p>Writes a properties file when done: {@code requested}, {@code received}, {@code mismatches},
 * {@code firstMismatch} (-1 if none), {@code startMillis}, {@code endMillis} and {@code end} (why
 * it stopped: "eof", "stalled" or an error).
 */
public final class BulkDownloadClient {
  /** The guest sends at least this often while the stream is healthy; longer means it is stuck. */
  private static final int STALL_MILLIS = 20_000;

  private BulkDownloadClient() {}

  static int expectedByte(long offset) {
    return (int) ((offset ^ (offset >>> 8) ^ (offset >>> 16)) & 0xff);
  }

  public static void main(String[] args) throws IOException {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    long requested = Long.parseLong(args[2]);
    Path out = Path.of(args[3]);
    long received = 0;
    long mismatches = 0;
    long firstMismatch = -1;
    long start = System.currentTimeMillis();
    String end;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 10_000);
      socket.setSoTimeout(STALL_MILLIS);
      socket.setReceiveBufferSize(1 << 20);
      OutputStream request = socket.getOutputStream();
      request.write((requested + "\n").getBytes(StandardCharsets.US_ASCII));
      request.flush();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[1 << 16];
      start = System.currentTimeMillis();
      while (true) {
        int n;
        try {
          n = in.read(buffer);
        } catch (SocketTimeoutException e) {
          end = "stalled";
          break;
        }
        if (n < 0) {
          end = "eof";
          break;
        }
        for (int i = 0; i < n; i++) {
          if ((buffer[i] & 0xff) != expectedByte(received + i)) {
            if (firstMismatch < 0) {
              firstMismatch = received + i;
            }
            mismatches++;
          }
        }
        received += n;
      }
    } catch (IOException e) {
      end = "error " + e;
    }
    Properties result = new Properties();
    result.setProperty("requested", Long.toString(requested));
    result.setProperty("received", Long.toString(received));
    result.setProperty("mismatches", Long.toString(mismatches));
    result.setProperty("firstMismatch", Long.toString(firstMismatch));
    result.setProperty("startMillis", Long.toString(start));
    result.setProperty("endMillis", Long.toString(System.currentTimeMillis()));
    result.setProperty("end", end);
    Path partial = out.resolveSibling(out.getFileName() + ".tmp");
    try (OutputStream file = Files.newOutputStream(partial)) {
      result.store(file, "bulk download from " + host + ":" + port);
    }
    Files.move(partial, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
