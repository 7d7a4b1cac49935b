package io.ftvm.supervisor.pair;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs on the client host (inside its namespace, as its own JVM): holds ONE TCP connection to the
 * guest's counter service and records every line with its arrival time, so a test can prove the
 * connection survived a failover with no gap and no duplicate. Never reconnects: a reconnect would
 * hide exactly what is tested.
 *
 * <p>Output file: one line per received number, "{@code <n> <epoch millis>}", flushed every 20 ms;
 * a final "{@code END <reason>}" line when the connection ends.
 */
public final class CounterStreamClient {
  private CounterStreamClient() {}

  public static void main(String[] args) throws IOException {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    Path out = Path.of(args[2]);
    long stopAfterMillis = Long.parseLong(args[3]);
    long deadline = System.currentTimeMillis() + stopAfterMillis;
    try (PrintWriter writer =
            new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8));
        Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 10_000);
      socket.setSoTimeout(1000);
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      long lastFlush = 0;
      String reason = "time limit";
      while (System.currentTimeMillis() < deadline) {
        String line;
        try {
          line = in.readLine();
        } catch (java.net.SocketTimeoutException e) {
          writer.flush();
          continue;
        }
        if (line == null) {
          reason = "connection closed by peer";
          break;
        }
        long now = System.currentTimeMillis();
        writer.println(line.trim() + " " + now);
        if (now - lastFlush > 20) {
          writer.flush();
          lastFlush = now;
        }
      }
      writer.println("END " + reason);
    } catch (IOException e) {
      Files.writeString(
          out,
          "END error " + e.getMessage() + "\n",
          StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      throw e;
    }
  }
}
