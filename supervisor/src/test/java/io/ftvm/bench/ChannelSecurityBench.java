package io.ftvm.bench;

import io.ftvm.channel.ChannelListener;
import io.ftvm.channel.ChannelSecurity;
import io.ftvm.channel.ChannelSettings;
import io.ftvm.channel.ChannelStats;
import io.ftvm.channel.LogSource;
import io.ftvm.channel.LogStreamListener;
import io.ftvm.channel.LogStreamReceiver;
import io.ftvm.channel.LogStreamSender;
import io.ftvm.channel.NodeIdentity;
import io.ftvm.channel.PairCertificateAuthority;
import io.ftvm.channel.PreSharedKey;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * What encrypting the logging channel costs: the same primary/backup pair of channel endpoints over
 * loopback in one JVM, in pre-shared-key mode (MAC only) and in mutual-TLS mode, alternated in
 * rounds so both see the same machine load. Two phases per round: bulk (the primary streams as fast
 * as flow control lets it; log bytes/s and CPU per MB) and paced (4 KiB every millisecond, about
 * the log rate of a busy guest; ack round-trip p50/p99). The backup acks every delivery at once, so
 * RTT is channel + event loops, not replay.
 *
 * <p>Usage: {@code ChannelSecurityBench [--bulk-mib N] [--paced-seconds S] [--rounds R]}
 */
public final class ChannelSecurityBench {
  private static final NodeIdentity PRIMARY = new NodeIdentity("a", "vm-bench", 1);
  private static final NodeIdentity BACKUP = new NodeIdentity("b", "vm-bench", 1);
  private static final int BULK_CHUNK = 64 << 10;
  private static final int PACED_CHUNK = 4 << 10;

  private record Result(
      String mode,
      String phase,
      double mbPerSecond,
      double cpuMsPerMb,
      long rttP50Micros,
      long rttP99Micros) {}

  /** Backup side: counts and acks everything at once. */
  private static final class AckingBackup implements LogStreamListener {
    volatile long end;
    LogStreamReceiver receiver;

    @Override
    public void onLog(long startPosition, ByteBuffer data) {
      end = startPosition + data.remaining();
      receiver.ack(end);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      options.put(args[i], args[i + 1]);
    }
    int bulkMib = Integer.parseInt(options.getOrDefault("--bulk-mib", "512"));
    int pacedSeconds = Integer.parseInt(options.getOrDefault("--paced-seconds", "5"));
    int rounds = Integer.parseInt(options.getOrDefault("--rounds", "3"));

    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    PreSharedKey psk = PreSharedKey.of(secret);
    PairCertificateAuthority ca = PairCertificateAuthority.create("bench", Duration.ofDays(1));
    Map<String, ChannelSecurity[]> modes = new LinkedHashMap<>();
    modes.put(
        "psk",
        new ChannelSecurity[] {ChannelSecurity.preShared(psk), ChannelSecurity.preShared(psk)});
    modes.put(
        "tls",
        new ChannelSecurity[] {
          ChannelSecurity.mutualTls(ca.credentials(ca.issue("a", Duration.ofDays(1))), "b"),
          ChannelSecurity.mutualTls(ca.credentials(ca.issue("b", Duration.ofDays(1))), "a")
        });

    System.err.println(
        "warm-up (JIT, until the AES-GCM intrinsics are compiled): 256 MiB per mode");
    for (Map.Entry<String, ChannelSecurity[]> mode : modes.entrySet()) {
      bulk(mode.getKey(), mode.getValue(), 256);
    }
    List<Result> results = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      for (Map.Entry<String, ChannelSecurity[]> mode : modes.entrySet()) {
        Result bulk = bulk(mode.getKey(), mode.getValue(), bulkMib);
        Result paced = paced(mode.getKey(), mode.getValue(), pacedSeconds);
        System.err.printf(Locale.ROOT, "round %d %s: %s | %s%n", round, mode.getKey(), bulk, paced);
        results.add(bulk);
        results.add(paced);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-5s %-6s %12s %12s %14s %14s%n",
        "mode",
        "phase",
        "MB/s",
        "CPU ms/MB",
        "ack RTT p50 us",
        "ack RTT p99 us");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "%-5s %-6s %12.1f %12.2f %14d %14d%n",
          r.mode(),
          r.phase(),
          r.mbPerSecond(),
          r.cpuMsPerMb(),
          r.rttP50Micros(),
          r.rttP99Micros());
    }
  }

  private interface Producer {
    long produce(LogStreamSender sender) throws Exception;
  }

  private static Result bulk(String mode, ChannelSecurity[] security, int mib) throws Exception {
    long total = (long) mib << 20;
    return run(
        mode,
        "bulk",
        security,
        sender -> {
          long position = 0;
          while (position < total) {
            if (!sender.awaitWindow(position + BULK_CHUNK, Duration.ofSeconds(30))) {
              throw new IllegalStateException("window stuck at " + position);
            }
            sender.offer(position, Unpooled.wrappedBuffer(DATA, 0, BULK_CHUNK));
            position += BULK_CHUNK;
          }
          return position;
        });
  }

  private static Result paced(String mode, ChannelSecurity[] security, int seconds)
      throws Exception {
    return run(
        mode,
        "paced",
        security,
        sender -> {
          long position = 0;
          long next = System.nanoTime();
          long stop = next + Duration.ofSeconds(seconds).toNanos();
          while (System.nanoTime() < stop) {
            sender.offer(position, Unpooled.wrappedBuffer(DATA, 0, PACED_CHUNK));
            position += PACED_CHUNK;
            next += 1_000_000;
            LockSupport.parkNanos(next - System.nanoTime());
          }
          return position;
        });
  }

  private static final byte[] DATA = new byte[BULK_CHUNK];

  static {
    new Random(7).nextBytes(DATA);
  }

  private static Result run(
      String mode, String phase, ChannelSecurity[] security, Producer producer) throws Exception {
    ChannelSettings settings = ChannelSettings.defaults();
    AckingBackup backup = new AckingBackup();
    // The bench never reconnects, so the primary's durable log is never read back.
    LogSource nothingToResend = (position, dst) -> 0;
    try (LogStreamReceiver receiver =
        new LogStreamReceiver(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            BACKUP,
            security[1],
            settings,
            backup,
            0)) {
      backup.receiver = receiver;
      InetSocketAddress address = receiver.start();
      try (LogStreamSender sender =
          new LogStreamSender(
              address.getHostString(),
              address.getPort(),
              PRIMARY,
              security[0],
              settings,
              nothingToResend,
              new ChannelListener() {},
              0)) {
        sender.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!sender.stats().sessionEstablished()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(mode + ": no session within 10 s");
          }
          Thread.sleep(5);
        }
        long cpuBefore = ProcessCpu.cpuMillis(ProcessHandle.current().pid()).orElse(0);
        long start = System.nanoTime();
        long end = producer.produce(sender);
        while (sender.ackedPosition() < end) {
          if (System.nanoTime() - start > Duration.ofMinutes(5).toNanos()) {
            throw new IllegalStateException(mode + ": acks stuck at " + sender.ackedPosition());
          }
          LockSupport.parkNanos(100_000);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = ProcessCpu.cpuMillis(ProcessHandle.current().pid()).orElse(0) - cpuBefore;
        ChannelStats stats = sender.stats();
        double mb = end / 1e6;
        return new Result(
            mode,
            phase,
            mb / seconds,
            cpu / mb,
            stats.ackRttP50Nanos() / 1000,
            stats.ackRttP99Nanos() / 1000);
      }
    }
  }
}
