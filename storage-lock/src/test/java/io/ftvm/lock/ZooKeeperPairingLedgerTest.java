package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZooKeeperPairingLedgerTest {
  private TestingServer server;
  private ZooKeeperConnection zk;
  private ZooKeeperPairingLedger ledger;
  private ZooKeeperArbiter arbiter;

  @BeforeEach
  void setUp() throws Exception {
    server = new TestingServer(true);
    zk =
        new ZooKeeperConnection(
            server.getConnectString(), "/ftvm", Duration.ofSeconds(10), Duration.ofSeconds(5));
    ledger = new ZooKeeperPairingLedger(zk, false);
    arbiter = new ZooKeeperArbiter(zk, false);
  }

  @AfterEach
  void tearDown() throws Exception {
    zk.close();
    server.close();
  }

  @Test
  void theFirstPairingAfterAFailoverIsAboveTheWonEpoch() throws Exception {
    arbiter.tryGoLive(new GoLiveClaim("vm1", 1, "b", "primary lost", Instant.now()));

    PairingRecord record = ledger.reserveNext("vm1", "a", "nbd=10.77.1.1:10810", 0);

    assertThat(record.epoch()).isEqualTo(2);
    assertThat(ledger.highestEpoch("vm1")).isEqualTo(2);
    assertThat(ledger.latest("vm1")).contains(record);
  }

  @Test
  void anEpochIsNeverHandedOutTwiceAndAtLeastIsHonoured() throws Exception {
    long first = ledger.reserveNext("vm1", "a", "try 1", 0).epoch();
    long second = ledger.reserveNext("vm1", "a", "try 2", 0).epoch();
    long jumped = ledger.reserveNext("vm1", "a", "try 3", 5).epoch();

    assertThat(List.of(first, second, jumped)).containsExactly(0L, 1L, 5L);
    assertThat(ledger.latest("vm1").orElseThrow().offer()).isEqualTo("try 3");
    assertThat(ledger.latest("vm2")).isEmpty();
    assertThat(ledger.highestEpoch("vm2")).isEqualTo(GoLiveArbiter.NO_EPOCH);
  }

  @Test
  void concurrentReservationsGetDistinctEpochs() throws Exception {
    Set<Long> epochs = ConcurrentHashMap.newKeySet();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      String node = "n" + i;
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                  for (int r = 0; r < 5; r++) {
                    epochs.add(ledger.reserveNext("vm1", node, "o", 0).epoch());
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join(60_000);
    }

    assertThat(epochs).hasSize(30);
  }
}
