package io.ftvm.bench;

import io.ftvm.lock.SharedDirectoryArbiter;
import io.ftvm.supervisor.arbiter.ClaimantProcess;
import io.ftvm.supervisor.arbiter.ZooKeeperCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Go-live claim latency of the two arbiter backends side by side (bench/arbiter.sh): a claimant
 * process on a local shared directory and one in a network namespace on a 3-member ZooKeeper
 * ensemble (members in namespaces of their own, Debian's zookeeper). Claims alternate between the
 * backends, so both see the same machine load; each claim is for a fresh epoch (a win: what the
 * backup of a failing-over pair does). Latency is measured inside the claimant, around the arbiter
 * call only.
 *
 * <p>Args: {@code --work-dir <dir> [--claims N] [--warmup N]}.
 */
public final class ArbiterLatencyBench {
  private static final Duration OP_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration ANSWER = Duration.ofSeconds(30);

  private ArbiterLatencyBench() {}

  public static void main(String[] args) throws Exception {
    Path work = null;
    int claims = 500;
    int warmup = 50;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--work-dir" -> work = Path.of(args[++i]);
        case "--claims" -> claims = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown option " + args[i] + " (--work-dir, --claims, --warmup)");
      }
    }
    if (work == null) {
      throw new IllegalArgumentException("--work-dir is required");
    }
    Path shared = Files.createDirectories(work.resolve("shared"));
    SharedDirectoryArbiter.initializeStorage(shared);
    List<Long> directory = new ArrayList<>();
    List<Long> zooKeeper = new ArrayList<>();
    try (ZooKeeperCluster cluster = ZooKeeperCluster.start(work.resolve("zk"), 3);
        ClaimantProcess onDirectory =
            ClaimantProcess.start(
                null, "dir", shared.toString(), "bench", OP_TIMEOUT, work.resolve("dir.log"));
        ClaimantProcess onZooKeeper =
            ClaimantProcess.start(
                cluster.addClient("bench"),
                "zk",
                cluster.connectString(),
                "bench",
                OP_TIMEOUT,
                work.resolve("zk.log"))) {
      System.err.printf(
          "ensemble up (%s); %d warm-up + %d claims each%n",
          cluster.connectString(), warmup, claims);
      for (int i = 0; i < warmup + claims; i++) {
        long dirMicros = won(onDirectory.claim("bench-vm", i, ANSWER));
        long zkMicros = won(onZooKeeper.claim("bench-vm", i, ANSWER));
        if (i >= warmup) {
          directory.add(dirMicros);
          zooKeeper.add(zkMicros);
        }
        if ((i + 1) % 100 == 0) {
          System.err.printf("%d/%d claims%n", i + 1, warmup + claims);
        }
      }
    }
    System.out.println("backend                        claims   p50 ms   p90 ms   p99 ms   max ms");
    print("shared directory (local dir)", directory);
    print("ZooKeeper, 3 members (netns)", zooKeeper);
  }

  private static long won(ClaimantProcess.Result result) {
    if (!result.won()) {
      throw new IllegalStateException("a fresh epoch was not won: " + result);
    }
    return result.micros();
  }

  private static void print(String name, List<Long> micros) {
    List<Long> sorted = new ArrayList<>(micros);
    Collections.sort(sorted);
    System.out.println(
        String.format(
            Locale.ROOT,
            "%-30s %6d %8.2f %8.2f %8.2f %8.2f",
            name,
            sorted.size(),
            percentile(sorted, 50),
            percentile(sorted, 90),
            percentile(sorted, 99),
            sorted.get(sorted.size() - 1) / 1000.0));
  }

  /** Nearest-rank percentile, in milliseconds. */
  private static double percentile(List<Long> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1)) / 1000.0;
  }
}
