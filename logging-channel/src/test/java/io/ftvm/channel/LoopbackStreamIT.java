package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real TCP sockets on 127.0.0.1: streaming, resend after a dropped connection, rejection. */
class LoopbackStreamIT {
  private static final Logger log = LoggerFactory.getLogger(LoopbackStreamIT.class);
  private static final int TOTAL = 20 << 20;
  private static final NodeIdentity PRIMARY = new NodeIdentity("node-a", "vm-it", 1);
  private static final NodeIdentity BACKUP = new NodeIdentity("node-b", "vm-it", 1);
  private final PreSharedKey key = PreSharedKey.of(new byte[48]);
  private LogStreamSender sender;
  private LogStreamReceiver receiver;

  /** Durable log of the primary: whole chunks as offered. */
  static final class MemoryLogSource implements LogSource {
    final byte[] data;
    final NavigableMap<Long, Integer> chunks = new ConcurrentSkipListMap<>();

    MemoryLogSource(byte[] data) {
      this.data = data;
    }

    @Override
    public int read(long position, ByteBuffer dst) {
      int copied = 0;
      long at = position;
      for (Map.Entry<Long, Integer> chunk = chunks.floorEntry(at);
          chunk != null && chunk.getKey() == at && chunk.getValue() <= dst.remaining();
          chunk = chunks.floorEntry(at)) {
        dst.put(data, (int) at, chunk.getValue());
        copied += chunk.getValue();
        at += chunk.getValue();
      }
      if (copied == 0 && chunks.floorEntry(position) == null) {
        throw new IllegalArgumentException("position " + position + " not in log");
      }
      return copied;
    }
  }

  static final class Collector implements LogStreamListener {
    final byte[] received = new byte[TOTAL];
    final List<String> closes = new CopyOnWriteArrayList<>();
    volatile long end;
    volatile String orderError;
    LogStreamReceiver receiver;
    int chunkCount;

    @Override
    public void onLog(long startPosition, ByteBuffer data) {
      if (startPosition != end) {
        orderError = "delivery at " + startPosition + " but expected " + end;
      }
      int length = data.remaining();
      data.get(received, (int) startPosition, length);
      end = startPosition + length;
      // Ack every other delivery so the durable position trails: a resend must overlap.
      if (++chunkCount % 2 == 0) {
        receiver.ack(end);
      }
    }

    @Override
    public void onSessionClosed(ErrorCode code, String reason, boolean reportedByPeer) {
      closes.add(code + ":" + reason);
    }
  }

  @AfterEach
  void cleanUp() {
    if (sender != null) {
      sender.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("ftvm-log-") && t.isAlive()));
  }

  /** The same pair in both modes: mutual TLS (the default) and pre-shared key. */
  static ChannelSecurity[] securityFor(String mode) {
    if (mode.equals("psk")) {
      ChannelSecurity psk = ChannelSecurity.preShared(PreSharedKey.of(new byte[48]));
      return new ChannelSecurity[] {psk, psk};
    }
    PairCertificateAuthority ca = PairCertificateAuthority.create("it", Duration.ofDays(1));
    return new ChannelSecurity[] {
      ChannelSecurity.mutualTls(ca.credentials(ca.issue("node-a", Duration.ofDays(1))), "node-b"),
      ChannelSecurity.mutualTls(ca.credentials(ca.issue("node-b", Duration.ofDays(1))), "node-a")
    };
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tls", "psk"})
  void streams20MiBExactlyOnceAcrossADroppedConnection(String mode) throws Exception {
    ChannelSecurity[] security = securityFor(mode);
    byte[] data = new byte[TOTAL];
    Random random = new Random(42);
    random.nextBytes(data);
    MemoryLogSource source = new MemoryLogSource(data);
    Collector collector = new Collector();
    ChannelSettings settings =
        ChannelSettings.defaults().withFlowControl(4 << 20, Duration.ofSeconds(2));
    receiver =
        new LogStreamReceiver(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            BACKUP,
            security[1],
            settings,
            collector,
            0);
    collector.receiver = receiver;
    InetSocketAddress address = receiver.start();
    sender =
        new LogStreamSender(
            address.getHostString(),
            address.getPort(),
            PRIMARY,
            security[0],
            settings,
            source,
            new ChannelListener() {},
            0);
    sender.start();

    long startNanos = System.nanoTime();
    long position = 0;
    boolean dropped = false;
    while (position < TOTAL) {
      int length = (int) Math.min(TOTAL - position, 1 + random.nextInt(64 << 10));
      long windowDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (!sender.awaitWindow(position + length, Duration.ofMillis(500))) {
        // The collector acks every other delivery; when the last one went unacked the window
        // stays shut (oldest unacked log older than maxLag), so ack it as a real backup would.
        receiver.ack(collector.end);
        assertThat(System.nanoTime()).as("window at " + position).isLessThan(windowDeadline);
      }
      source.chunks.put(position, length);
      sender.offer(position, Unpooled.wrappedBuffer(data, (int) position, length));
      position += length;
      if (!dropped && position > TOTAL / 2) {
        dropped = true;
        await().until(() -> collector.end > TOTAL / 3);
        receiver.dropSession("test: kill the connection mid-stream");
      }
    }
    long last = position;
    await().atMost(Duration.ofSeconds(60)).until(() -> collector.end == last);
    receiver.ack(last);
    await().atMost(Duration.ofSeconds(10)).until(() -> sender.ackedPosition() == last);
    double seconds = (System.nanoTime() - startNanos) / 1e9;

    assertThat(collector.orderError).isNull();
    assertThat(collector.received).isEqualTo(data);
    ChannelStats stats = sender.stats();
    log.info(
        "Loopback ({}): {} MiB in {} s = {} MB/s; ack RTT p50 {} us, p99 {} us; reconnects {}; duplicates dropped {} bytes; throttled {} ms",
        mode,
        TOTAL >> 20,
        String.format("%.2f", seconds),
        String.format("%.1f", TOTAL / 1e6 / seconds),
        stats.ackRttP50Nanos() / 1000,
        stats.ackRttP99Nanos() / 1000,
        stats.reconnects(),
        receiver.duplicateBytesDropped(),
        stats.throttledNanos() / 1_000_000);
    assertThat(stats.reconnects()).isGreaterThanOrEqualTo(1);
    assertThat(stats.ackRttP50Nanos()).isPositive();
    assertThat(receiver.stats().bytesReceived()).isEqualTo(TOTAL);
  }

  @Test
  void unauthenticatedClientIsRejected() throws Exception {
    Collector collector = new Collector();
    receiver =
        new LogStreamReceiver(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            BACKUP,
            key,
            ChannelSettings.defaults(),
            collector,
            0);
    collector.receiver = receiver;
    InetSocketAddress address = receiver.start();
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      out.writeInt(1 + 8 + 4);
      out.writeByte(FrameType.LOG.wireCode());
      out.writeLong(0);
      out.writeInt(0xdeadbeef);
      out.flush();
      DataInputStream in = new DataInputStream(socket.getInputStream());
      String error = null;
      try {
        while (true) {
          byte[] body = new byte[in.readInt()];
          in.readFully(body);
          if (body[0] == FrameType.ERROR.wireCode()) {
            error = new String(body, 5, body.length - 5, java.nio.charset.StandardCharsets.UTF_8);
          }
        }
      } catch (EOFException closedByBackup) {
        // expected: the backup closes after the ERROR frame
      }
      assertThat(error).contains("LOG frame received before authentication completed");
    }
    await().until(() -> !collector.closes.isEmpty());
    assertThat(collector.closes.get(0)).startsWith("NOT_AUTHENTICATED:");
    assertThat(collector.end).isZero();
  }
}
