package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class SharedDirectoryArbiterIT {
  private static final Logger log = LoggerFactory.getLogger(SharedDirectoryArbiterIT.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  @TempDir Path storage;
  private SharedDirectoryArbiter arbiter;

  @BeforeEach
  void initialise() throws IOException {
    SharedDirectoryArbiter.initializeStorage(storage);
    arbiter = new SharedDirectoryArbiter(storage, TIMEOUT);
  }

  @AfterEach
  void closeArbiter() {
    arbiter.close();
  }

  private static GoLiveClaim claim(String node, long epoch) {
    return new GoLiveClaim("web-1", epoch, node, "peer lost", Instant.now());
  }

  @Test
  void firstClaimWinsAndSecondNodeLosesSeeingTheWinner() throws Exception {
    GoLiveDecision first = arbiter.tryGoLive(claim("host-a", 3));
    GoLiveDecision second = arbiter.tryGoLive(claim("host-b", 3));

    assertThat(first.won()).isTrue();
    assertThat(second.outcome()).isEqualTo(GoLiveDecision.Outcome.LOST);
    assertThat(second.winner().nodeId()).contains("host-a");
    assertThat(Files.exists(storage.resolve("web-1/epoch-3.golive"))).isTrue();
  }

  @Test
  void sameNodeAskingAgainWinsAgain() throws Exception {
    arbiter.tryGoLive(claim("host-a", 3));

    assertThat(arbiter.tryGoLive(claim("host-a", 3)).won()).isTrue();
  }

  @Test
  void nextEpochIsIndependentAndHighestEpochFollows() throws Exception {
    assertThat(arbiter.highestEpoch("web-1")).isEqualTo(GoLiveArbiter.NO_EPOCH);
    arbiter.tryGoLive(claim("host-a", 3));

    assertThat(arbiter.tryGoLive(claim("host-b", 4)).won()).isTrue();
    assertThat(arbiter.highestEpoch("web-1")).isEqualTo(4);
    assertThat(arbiter.winner("web-1", 3).orElseThrow().nodeId()).contains("host-a");
    assertThat(arbiter.winner("web-1", 4).orElseThrow().nodeId()).contains("host-b");
    assertThat(arbiter.winner("web-1", 5)).isEmpty();
  }

  @Test
  void strayFilesDoNotConfuseHighestEpoch() throws Exception {
    arbiter.tryGoLive(claim("host-a", 2));
    Files.writeString(storage.resolve("web-1/epoch-99.golive.bak"), "x");
    Files.writeString(storage.resolve("web-1/notes.txt"), "x");

    assertThat(arbiter.highestEpoch("web-1")).isEqualTo(2);
  }

  @Test
  void partiallyWrittenRecordCountsAsWonByUnknownNodeEvenForItsAuthor() throws Exception {
    Files.createDirectories(storage.resolve("web-1"));
    Files.writeString(storage.resolve("web-1/epoch-5.golive"), "format=1\nvmId=web-1\nepo");

    GoLiveDecision decision = arbiter.tryGoLive(claim("host-a", 5));

    assertThat(decision.won()).isFalse();
    assertThat(decision.winner().summary()).contains("won by unknown node (corrupt record");
    assertThat(arbiter.winner("web-1", 5).orElseThrow().corruption()).isPresent();
  }

  @Test
  void missingDirectoryIsUnavailable() {
    try (SharedDirectoryArbiter missing =
        new SharedDirectoryArbiter(storage.resolve("not-mounted"), TIMEOUT)) {
      assertThatThrownBy(() -> missing.tryGoLive(claim("host-a", 1)))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("not-mounted does not exist: is the share mounted?");
      assertThatThrownBy(missing::checkReachable).isInstanceOf(StorageUnavailableException.class);
    }
  }

  @Test
  void directoryThatIsAFileIsUnavailable() throws IOException {
    Path file = Files.writeString(storage.resolve("plain-file"), "x");
    try (SharedDirectoryArbiter onFile = new SharedDirectoryArbiter(file, TIMEOUT)) {
      assertThatThrownBy(() -> onFile.highestEpoch("web-1"))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("plain-file is not a directory");
    }
  }

  @Test
  void directoryWithoutMarkerLooksUnmountedAndDecidesNothing() throws IOException {
    Path empty = Files.createDirectory(storage.resolve("empty-mountpoint"));
    try (SharedDirectoryArbiter unmounted = new SharedDirectoryArbiter(empty, TIMEOUT)) {
      assertThatThrownBy(() -> unmounted.tryGoLive(claim("host-a", 1)))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("has no .ftvm-golive-storage marker");
      assertThat(Files.list(empty)).isEmpty();
    }
  }

  @Test
  void initialisingAMissingDirectoryFailsClearlyAndTwiceIsHarmless() throws IOException {
    assertThatThrownBy(() -> SharedDirectoryArbiter.initializeStorage(storage.resolve("nope")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope: go-live storage must be an existing directory");

    SharedDirectoryArbiter.initializeStorage(storage);
    assertThat(Files.isRegularFile(storage.resolve(SharedDirectoryArbiter.MARKER_FILE))).isTrue();
  }

  @Test
  void reachableStorageLeavesNoProbeBehind() throws Exception {
    arbiter.checkReachable();

    try (var entries = Files.list(storage)) {
      assertThat(entries.map(p -> p.getFileName().toString()))
          .containsExactly(SharedDirectoryArbiter.MARKER_FILE);
    }
  }

  @Test
  void hangingStorageIsReportedUnavailableWithinTimeout() throws Exception {
    // A FIFO at the claim location: create fails with EEXIST and opening it to read the record
    // blocks until a writer appears, just like a read on a dead hard-mounted NFS server.
    Path fifo = storage.resolve("web-1/epoch-9.golive");
    Files.createDirectories(fifo.getParent());
    Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();
    try (SharedDirectoryArbiter quick =
        new SharedDirectoryArbiter(storage, Duration.ofMillis(500))) {
      long start = System.nanoTime();

      assertThatThrownBy(() -> quick.tryGoLive(claim("host-a", 9)))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessage(
              "shared storage "
                  + storage.toAbsolutePath()
                  + " did not answer within 500ms (claim"
                  + " web-1 epoch 9)");

      Duration waited = Duration.ofNanos(System.nanoTime() - start);
      log.info("hung claim reported unavailable after {} ms (timeout 500 ms)", waited.toMillis());
      assertThat(waited).isBetween(Duration.ofMillis(450), Duration.ofMillis(1500));
    } finally {
      unblockFifoReaders(fifo);
    }
  }

  @Test
  void manyThreadsRacingOnEachEpochProduceExactlyOneWinner() throws Exception {
    int epochs = 200;
    int nodes = 6;
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      int totalWins = 0;
      for (int epoch = 0; epoch < epochs; epoch++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<GoLiveDecision>> decisions = new ArrayList<>();
        for (int node = 0; node < nodes; node++) {
          GoLiveClaim racer = claim("host-" + node, epoch);
          decisions.add(
              pool.submit(
                  () -> {
                    start.await();
                    return arbiter.tryGoLive(racer);
                  }));
        }
        start.countDown();
        int wins = 0;
        String winner = null;
        Set<Optional<String>> namedWinners = new HashSet<>();
        for (Future<GoLiveDecision> decision : decisions) {
          GoLiveDecision d = decision.get(10, TimeUnit.SECONDS);
          namedWinners.add(d.winner().nodeId());
          if (d.won()) {
            wins++;
            winner = d.claim().nodeId();
          }
        }
        assertThat(wins).as("winners of epoch %d", epoch).isEqualTo(1);
        // Losers racing the winner's write must still learn who won, not "corrupt record".
        assertThat(namedWinners)
            .as("winner named by every racer")
            .containsExactly(Optional.of(winner));
        assertThat(arbiter.winner("web-1", epoch).orElseThrow().nodeId()).contains(winner);
        totalWins += wins;
      }
      log.info("{} epochs x {} racing threads: {} winners in total", epochs, nodes, totalWins);
      assertThat(arbiter.highestEpoch("web-1")).isEqualTo(epochs - 1);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Opening a FIFO read-write never blocks on Linux and provides the writer that a thread blocked
   * opening it for reading waits for; closing it then gives that reader EOF.
   */
  private static void unblockFifoReaders(Path fifo) throws IOException {
    try (FileChannel ignored =
        FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      log.debug("released readers of {}", fifo);
    }
    Files.deleteIfExists(fifo);
  }
}
