package io.ftvm.supervisor.recording;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The client side of {@code ftvm record --workload net}: runs as its own JVM inside the recorder's
 * network namespace (under {@code ip netns exec}) and talks to the test VM's services a few times
 * per second until it is terminated: echo (7001), kv (7002) and a short read of the counter stream
 * (7000). Every exchange opens a new connection, so the guest sees accepts, data and closes.
 *
 * <p>Arguments: {@code <guest ip> [interval ms]}. Standard output (redirected to a file by the
 * recorder) gets one status line per exchange: {@code <n> <service> ok|FAILED <detail> ok=<k>
 * failed=<m>}; the recorder reports the last one.
 */
public final class GuestTrafficClient {
  static final int COUNTER_PORT = 7000;
  static final int ECHO_PORT = 7001;
  static final int KV_PORT = 7002;
  private static final int TIMEOUT_MILLIS = 3000;
  private static final int COUNTER_LINES = 5;

  private final String guest;
  private final PrintStream out;
  private long ok;
  private long failed;

  private GuestTrafficClient(String guest, PrintStream out) {
    this.guest = guest;
    this.out = out;
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length < 1) {
      System.err.println("usage: GuestTrafficClient <guest ip> [interval ms]");
      System.exit(2);
    }
    long interval = args.length > 1 ? Long.parseLong(args[1]) : 300;
    GuestTrafficClient client = new GuestTrafficClient(args[0], System.out);
    for (long n = 0; ; n++) {
      client.exchange(n);
      TimeUnit.MILLISECONDS.sleep(interval);
    }
  }

  private void exchange(long n) {
    String service =
        switch ((int) (n % 3)) {
          case 0 -> "echo";
          case 1 -> "kv";
          default -> "counter";
        };
    try {
      String detail =
          switch (service) {
            case "echo" -> echo(n);
            case "kv" -> kv(n);
            default -> counter();
          };
      ok++;
      out.println(n + " " + service + " ok " + detail + " ok=" + ok + " failed=" + failed);
    } catch (IOException e) {
      failed++;
      out.println(
          n + " " + service + " FAILED " + e.getMessage() + " ok=" + ok + " failed=" + failed);
    }
    out.flush();
  }

  private String echo(long n) throws IOException {
    String line = "ftvm-echo " + n;
    try (Socket socket = connect(ECHO_PORT)) {
      send(socket, line + "\n");
      String back = reader(socket).readLine();
      if (!line.equals(back)) {
        throw new IOException("echo returned '" + back + "' for '" + line + "'");
      }
      return line;
    }
  }

  private String kv(long n) throws IOException {
    try (Socket socket = connect(KV_PORT)) {
      BufferedReader in = reader(socket);
      String key = "k" + (n % 7);
      send(socket, "SET " + key + " v" + n + "\nGET " + key + "\nINCR hits\n");
      String set = in.readLine();
      String get = in.readLine();
      String incr = in.readLine();
      if (!"OK".equals(set) || !("v" + n).equals(get) || incr == null) {
        throw new IOException("kv answered " + set + " / " + get + " / " + incr);
      }
      return "hits=" + incr;
    }
  }

  private String counter() throws IOException {
    try (Socket socket = connect(COUNTER_PORT)) {
      BufferedReader in = reader(socket);
      String last = null;
      for (int i = 0; i < COUNTER_LINES; i++) {
        last = in.readLine();
        if (last == null) {
          throw new IOException("counter stream ended after " + i + " lines");
        }
      }
      return "last=" + last;
    }
  }

  private Socket connect(int port) throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(guest, port), TIMEOUT_MILLIS);
      socket.setSoTimeout(TIMEOUT_MILLIS);
      return socket;
    } catch (IOException e) {
      socket.close();
      throw new IOException("connect " + guest + ":" + port + ": " + e.getMessage(), e);
    }
  }

  private static void send(Socket socket, String text) throws IOException {
    OutputStream stream = socket.getOutputStream();
    stream.write(text.getBytes(StandardCharsets.US_ASCII));
    stream.flush();
  }

  private static BufferedReader reader(Socket socket) throws IOException {
    return new BufferedReader(
        new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
  }
}
