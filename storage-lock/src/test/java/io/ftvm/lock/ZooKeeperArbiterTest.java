package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fast checks of the ZooKeeper arbiter's logic against Curator's in-JVM single server. The
 * behaviour under a real 3-member ensemble (quorum loss, leader kill, partitions) is covered by the
 * supervisor's ZooKeeper ITs.
 */
class ZooKeeperArbiterTest {
  // Generous: the first operation also opens the session, and unit tests run beside builds and VMs.
  private static final Duration OP_TIMEOUT = Duration.ofSeconds(5);
  private TestingServer server;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startServer() throws Exception {
    server = new TestingServer(true);
  }

  @AfterEach
  void stopServer() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    server.close();
  }

  private ZooKeeperArbiter arbiter() {
    ZooKeeperArbiter arbiter =
        new ZooKeeperArbiter(
            new ZooKeeperConnection(
                server.getConnectString(), "/ftvm", Duration.ofSeconds(10), OP_TIMEOUT));
    closeables.add(arbiter);
    return arbiter;
  }

  private static GoLiveClaim claim(String node, long epoch) {
    return new GoLiveClaim("vm1", epoch, node, "peer lost", Instant.parse("2026-12-01T12:00:00Z"));
  }

  @Test
  void theFirstClaimWinsAndTheOtherNodeLearnsTheWinner() throws Exception {
    ZooKeeperArbiter a = arbiter();
    ZooKeeperArbiter b = arbiter();

    GoLiveDecision first = a.tryGoLive(claim("node-a", 3));
    GoLiveDecision second = b.tryGoLive(claim("node-b", 3));

    assertThat(first.won()).isTrue();
    assertThat(second.won()).isFalse();
    assertThat(second.winner().nodeId()).contains("node-a");
    assertThat(second.winner().timestamp()).contains(Instant.parse("2026-12-01T12:00:00Z"));
  }

  @Test
  void theWinnerAskingAgainWinsAgain() throws Exception {
    ZooKeeperArbiter a = arbiter();
    a.tryGoLive(claim("node-a", 1));

    assertThat(arbiter().tryGoLive(claim("node-a", 1)).won()).isTrue();
  }

  @Test
  void winnerAndHighestEpochReflectTheRecords() throws Exception {
    ZooKeeperArbiter a = arbiter();
    assertThat(a.highestEpoch("vm1")).isEqualTo(GoLiveArbiter.NO_EPOCH);
    assertThat(a.winner("vm1", 2)).isEmpty();

    a.tryGoLive(claim("node-a", 2));
    a.tryGoLive(claim("node-b", 10));
    a.tryGoLive(claim("node-a", 9));

    assertThat(a.highestEpoch("vm1")).isEqualTo(10);
    assertThat(a.winner("vm1", 2).orElseThrow().nodeId()).contains("node-a");
    assertThat(a.highestEpoch("other-vm")).isEqualTo(GoLiveArbiter.NO_EPOCH);
  }

  @Test
  void racingClaimantsGetExactlyOneWinnerPerEpoch() throws Exception {
    int claimants = 6;
    int epochs = 30;
    Map<Long, List<String>> winners = new ConcurrentHashMap<>();
    List<Throwable> failures = new ArrayList<>();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < claimants; i++) {
      String node = "n" + i;
      ZooKeeperArbiter arbiter = arbiter();
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                  for (long epoch = 0; epoch < epochs; epoch++) {
                    GoLiveDecision decision = arbiter.tryGoLive(claim(node, epoch));
                    if (decision.won()) {
                      winners
                          .computeIfAbsent(
                              epoch, e -> java.util.Collections.synchronizedList(new ArrayList<>()))
                          .add(node);
                    } else {
                      assertThat(decision.winner().nodeId()).isPresent();
                    }
                  }
                } catch (Throwable t) {
                  synchronized (failures) {
                    failures.add(t);
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join(60_000);
    }

    assertThat(failures).isEmpty();
    assertThat(winners).hasSize(epochs);
    winners.forEach((epoch, nodes) -> assertThat(nodes).as("winners of epoch " + epoch).hasSize(1));
  }

  @Test
  void aCorruptRecordIsTakenByAnUnknownNodeEvenForItsAuthor() throws Exception {
    try (CuratorFramework raw =
        CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
      raw.start();
      raw.create()
          .creatingParentsIfNeeded()
          .forPath("/ftvm/vm1/golive/4", "nodeId=node-a\n".getBytes(StandardCharsets.UTF_8));
    }

    GoLiveDecision decision = arbiter().tryGoLive(claim("node-a", 4));

    assertThat(decision.won()).isFalse();
    assertThat(decision.winner().nodeId()).isEmpty();
    assertThat(decision.winner().corruption()).isPresent();
  }

  @Test
  void anUnreachableEnsembleIsUnavailableWithinTheBoundNeverWon() throws Exception {
    ZooKeeperArbiter a = arbiter();
    a.checkReachable();
    server.stop();

    long start = System.nanoTime();
    assertThatThrownBy(() -> a.tryGoLive(claim("node-a", 1)))
        .isInstanceOf(StorageUnavailableException.class);
    assertThatThrownBy(a::checkReachable).isInstanceOf(StorageUnavailableException.class);
    assertThatThrownBy(() -> a.highestEpoch("vm1")).isInstanceOf(StorageUnavailableException.class);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(took).isLessThan(OP_TIMEOUT.multipliedBy(3).plusSeconds(1));
  }

  @Test
  void aClaimThatFailedWhileDownIsDecidedOnceTheEnsembleReturns() throws Exception {
    ZooKeeperArbiter a = arbiter();
    a.checkReachable();
    server.stop();
    assertThatThrownBy(() -> a.tryGoLive(claim("node-a", 7)))
        .isInstanceOf(StorageUnavailableException.class);

    server.restart();

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptionsInstanceOf(StorageUnavailableException.class)
        .until(() -> a.tryGoLive(claim("node-a", 7)).won());
    assertThat(arbiter().tryGoLive(claim("node-b", 7)).won()).isFalse();
  }

  @Test
  void connectStringsAreValidated() {
    assertThatThrownBy(
            () -> new ZooKeeperConnection("", "/ftvm", Duration.ofSeconds(1), OP_TIMEOUT))
        .hasMessageContaining("must not be empty");
    assertThatThrownBy(
            () ->
                new ZooKeeperConnection(
                    "10.0.0.1:2181,10.0.0.2", "/ftvm", Duration.ofSeconds(1), OP_TIMEOUT))
        .hasMessageContaining("'10.0.0.2' must be host:port");
    assertThatThrownBy(
            () -> new ZooKeeperConnection("h:99999", "/ftvm", Duration.ofSeconds(1), OP_TIMEOUT))
        .hasMessageContaining("no valid port");
    assertThatThrownBy(
            () -> new ZooKeeperConnection("h:2181", "ftvm/", Duration.ofSeconds(1), OP_TIMEOUT))
        .hasMessageContaining("absolute znode path");
  }
}
