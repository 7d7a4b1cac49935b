package io.ftvm.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The client of every benchmark configuration, run on the client host (inside its network
 * namespace) so all three configurations see the same client over the same LAN path. Drives the
 * test VM's echo service with one outstanding request (latency-bound: every round trip pays the
 * Output Rule's hold once) and then its kv service with pipelined INCRs (throughput-bound), and
 * prints one JSON line with the figures and the wall-clock window it measured in.
 *
 * <p>After that window (so the log-rate and CPU figures still cover echo and kv only), the guest's
 * own work is timed over the kv connection: {@code CPU <rounds>} requests (the cpu workload's hash,
 * rounds per wall-clock second) and {@code DISK <op> <n>} requests (4 KiB O_DIRECT I/O on the
 * guest's disk: sequential write with one fdatasync per request, sequential read, random write with
 * an fdatasync after every block, random read; MB/s and IOPS by the wall clock).
 *
 * <p>Usage: {@code GuestLoadClient <guest-ip> <echo-seconds> <kv-seconds> <kv-depth>
 * <connect-timeout-seconds> [<cpu-seconds> <disk-seconds-per-op>]}
 */
public final class GuestLoadClient {
  static final int ECHO_PORT = 7001;
  static final int KV_PORT = 7002;
  private static final int ECHO_MESSAGE_BYTES = 64;
  private static final int WARM_UP_ROUND_TRIPS = 20;
  private static final int SOCKET_TIMEOUT_MILLIS = 15_000;

  private final String guest;
  private final long connectDeadlineNanos;

  private GuestLoadClient(String guest, long connectTimeoutSeconds) {
    this.guest = guest;
    this.connectDeadlineNanos = System.nanoTime() + connectTimeoutSeconds * 1_000_000_000L;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5 && args.length != 7) {
      System.err.println(
          "usage: GuestLoadClient <guest-ip> <echo-seconds> <kv-seconds> <kv-depth>"
              + " <connect-timeout-seconds> [<cpu-seconds> <disk-seconds-per-op>]");
      System.exit(2);
    }
    GuestLoadClient client = new GuestLoadClient(args[0], Long.parseLong(args[4]));
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("windowStartEpochMillis", System.currentTimeMillis());
    client.echo(Long.parseLong(args[1]), result);
    client.kv(Long.parseLong(args[2]), Integer.parseInt(args[3]), result);
    result.put("windowEndEpochMillis", System.currentTimeMillis());
    if (args.length == 7) {
      client.guestWork(Long.parseLong(args[5]), Long.parseLong(args[6]), result);
    }
    // stdout is this tool's result channel; the bench parses the last line.
    System.out.println(new ObjectMapper().writeValueAsString(result));
  }

  private void echo(long seconds, Map<String, Object> result) throws IOException {
    try (Socket socket = connect(ECHO_PORT)) {
      InputStream in = socket.getInputStream();
      OutputStream out = socket.getOutputStream();
      byte[] message = new byte[ECHO_MESSAGE_BYTES];
      byte[] reply = new byte[ECHO_MESSAGE_BYTES];
      for (int i = 0; i < WARM_UP_ROUND_TRIPS; i++) {
        roundTrip(in, out, message, reply, i);
      }
      long start = System.nanoTime();
      result.put("echoStartEpochMillis", System.currentTimeMillis());
      long end = start + seconds * 1_000_000_000L;
      List<Long> rtts = new ArrayList<>();
      long sequence = WARM_UP_ROUND_TRIPS;
      long now = start;
      while (now < end) {
        roundTrip(in, out, message, reply, sequence++);
        long after = System.nanoTime();
        rtts.add(after - now);
        now = after;
      }
      double elapsed = (now - start) / 1e9;
      result.put("echoRoundTrips", rtts.size());
      result.put("echoPerSecond", rtts.size() / elapsed);
      result.put("echoRttP50Micros", percentile(rtts, 0.50) / 1000);
      result.put("echoRttP99Micros", percentile(rtts, 0.99) / 1000);
      result.put("echoRttMaxMicros", percentile(rtts, 1.0) / 1000);
    }
  }

  /** One message out, the same bytes back; each message differs so a stale reply is caught. */
  private static void roundTrip(
      InputStream in, OutputStream out, byte[] message, byte[] reply, long sequence)
      throws IOException {
    byte[] tag = String.format("%016d", sequence).getBytes(StandardCharsets.US_ASCII);
    Arrays.fill(message, (byte) 'x');
    System.arraycopy(tag, 0, message, 0, tag.length);
    out.write(message);
    out.flush();
    int read = 0;
    while (read < reply.length) {
      int n = in.read(reply, read, reply.length - read);
      if (n < 0) {
        throw new EOFException("echo service closed the connection after " + sequence + " trips");
      }
      read += n;
    }
    if (!Arrays.equals(message, reply)) {
      throw new IOException("echo round trip " + sequence + " returned different bytes");
    }
  }

  private void kv(long seconds, int depth, Map<String, Object> result) throws IOException {
    try (Socket socket = connect(KV_PORT)) {
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      byte[] request = "INCR bench\n".getBytes(StandardCharsets.US_ASCII);
      out.write(request);
      out.flush();
      long expected = firstIncrement(in.readLine());
      for (int i = 1; i < WARM_UP_ROUND_TRIPS; i++) {
        out.write(request);
        out.flush();
        expected = checkIncrement(in.readLine(), expected);
      }
      long start = System.nanoTime();
      result.put("kvStartEpochMillis", System.currentTimeMillis());
      long end = start + seconds * 1_000_000_000L;
      for (int i = 0; i < depth; i++) {
        out.write(request);
      }
      out.flush();
      int outstanding = depth;
      long completed = 0;
      long lastCompletion = start;
      while (outstanding > 0) {
        expected = checkIncrement(in.readLine(), expected);
        outstanding--;
        long now = System.nanoTime();
        if (now < end) {
          completed++;
          lastCompletion = now;
          out.write(request);
          out.flush();
          outstanding++;
        }
      }
      result.put("kvDepth", depth);
      result.put("kvOps", completed);
      result.put("kvOpsPerSecond", completed / ((lastCompletion - start) / 1e9));
    }
  }

  /** Work the guest does per request of the kv service: how much per request, and its name. */
  private record WorkPhase(String key, String request, long unitsPerRequest) {}

  private static final List<WorkPhase> DISK_PHASES =
      List.of(
          new WorkPhase("diskSeqWrite", "DISK seqwrite 256", 256),
          new WorkPhase("diskSeqRead", "DISK seqread 256", 256),
          new WorkPhase("diskRandWrite", "DISK randwrite 8", 8),
          new WorkPhase("diskRandRead", "DISK randread 64", 64));

  private static final int DISK_BLOCK_BYTES = 4096;

  private void guestWork(long cpuSeconds, long diskSecondsPerOp, Map<String, Object> result)
      throws IOException {
    try (Socket socket = connect(KV_PORT)) {
      socket.setSoTimeout(4 * SOCKET_TIMEOUT_MILLIS); // one request is seconds of guest work
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      if (cpuSeconds > 0) {
        double rate = unitsPerSecond(in, out, new WorkPhase("cpu", "CPU 100", 100), cpuSeconds);
        result.put("cpuRoundsPerSecond", rate);
      }
      if (diskSecondsPerOp > 0) {
        for (WorkPhase phase : DISK_PHASES) {
          double iops = unitsPerSecond(in, out, phase, diskSecondsPerOp);
          result.put(phase.key() + "Iops", iops);
          result.put(phase.key() + "MBps", iops * DISK_BLOCK_BYTES / 1e6);
        }
      }
    }
  }

  /**
   * Guest work requests kept outstanding on the connection. With one, the guest idles for every
   * request's round trip, and the figure measures the network path (which under {@code ft} includes
   * the Output Rule's hold) as much as the guest's work; with two, the next request is already
   * queued when the guest finishes one.
   */
  private static final int WORK_REQUESTS_IN_FLIGHT = 2;

  /**
   * Repeats one request for the given time (after one warm-up request, alone), {@link
   * #WORK_REQUESTS_IN_FLIGHT} at a time; units per second up to the last reply inside the time.
   */
  private static double unitsPerSecond(
      BufferedReader in, OutputStream out, WorkPhase phase, long seconds) throws IOException {
    byte[] request = (phase.request() + "\n").getBytes(StandardCharsets.US_ASCII);
    workRequest(in, out, request, phase);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    for (int i = 0; i < WORK_REQUESTS_IN_FLIGHT; i++) {
      out.write(request);
    }
    out.flush();
    int outstanding = WORK_REQUESTS_IN_FLIGHT;
    long units = 0;
    long lastCompletion = start;
    while (outstanding > 0) {
      checkWorkReply(in.readLine(), phase);
      outstanding--;
      long now = System.nanoTime();
      if (now < end) {
        units += phase.unitsPerRequest();
        lastCompletion = now;
        out.write(request);
        out.flush();
        outstanding++;
      }
    }
    return units / ((lastCompletion - start) / 1e9);
  }

  private static void workRequest(
      BufferedReader in, OutputStream out, byte[] request, WorkPhase phase) throws IOException {
    out.write(request);
    out.flush();
    checkWorkReply(in.readLine(), phase);
  }

  private static void checkWorkReply(String reply, WorkPhase phase) throws IOException {
    if (reply == null || reply.startsWith("ERR")) {
      throw new IOException("guest answered '" + reply + "' to " + phase.request());
    }
  }

  /**
   * The counter's first value on this connection: 1 on a fresh guest, more if an earlier client
   * (the bench's unmeasured warm-up) incremented it. Returns the value the next reply must have.
   */
  private static long firstIncrement(String line) throws IOException {
    if (line == null) {
      throw new EOFException("kv service closed the connection before its first INCR reply");
    }
    try {
      long value = Long.parseLong(line);
      if (value >= 1) {
        return value + 1;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IOException("kv INCR answered '" + line + "', expected a counter of at least 1");
  }

  /** A single connection's INCRs are answered in order, so each reply is the previous plus one. */
  private static long checkIncrement(String line, long expected) throws IOException {
    if (line == null) {
      throw new EOFException("kv service closed the connection expecting " + expected);
    }
    if (!line.equals(Long.toString(expected))) {
      throw new IOException("kv INCR answered '" + line + "', expected " + expected);
    }
    return expected + 1;
  }

  /** Retries until the guest's service accepts: the guest may still be bringing its NIC up. */
  private Socket connect(int port) throws IOException {
    IOException last = null;
    while (System.nanoTime() < connectDeadlineNanos) {
      Socket socket = new Socket();
      try {
        socket.setTcpNoDelay(true);
        socket.connect(new InetSocketAddress(guest, port), 2000);
        socket.setSoTimeout(SOCKET_TIMEOUT_MILLIS);
        return socket;
      } catch (IOException e) {
        socket.close();
        last = e;
        try {
          Thread.sleep(200); // retry back-off against a guest that is not listening yet
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted connecting to " + guest + ":" + port, interrupted);
        }
      }
    }
    throw new IOException("guest " + guest + ":" + port + " did not accept a connection", last);
  }

  private static long percentile(List<Long> samples, double fraction) {
    if (samples.isEmpty()) {
      return -1;
    }
    long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
    int rank = (int) Math.ceil(fraction * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
