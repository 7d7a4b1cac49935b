package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedDirectoryPairingLedgerTest {
  @TempDir Path dir;
  private SharedDirectoryPairingLedger ledger;
  private SharedDirectoryArbiter arbiter;

  @BeforeEach
  void setUp() throws Exception {
    SharedDirectoryArbiter.initializeStorage(dir);
    ledger = new SharedDirectoryPairingLedger(dir, Duration.ofSeconds(5));
    arbiter = new SharedDirectoryArbiter(dir, Duration.ofSeconds(5));
  }

  @AfterEach
  void tearDown() {
    ledger.close();
    arbiter.close();
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
  void anEpochIsNeverHandedOutTwiceEvenWhenItsPairingFailed() throws Exception {
    long first = ledger.reserveNext("vm1", "a", "try 1", 0).epoch();
    long second = ledger.reserveNext("vm1", "a", "try 2", 0).epoch();
    // A go-live record below the reservations changes nothing.
    arbiter.tryGoLive(new GoLiveClaim("vm1", 0, "b", "x", Instant.now()));
    long third = ledger.reserveNext("vm1", "a", "try 3", 0).epoch();

    assertThat(List.of(first, second, third)).containsExactly(0L, 1L, 2L);
    assertThat(ledger.latest("vm1").orElseThrow().offer()).isEqualTo("try 3");
  }

  @Test
  void aClaimOfTheNewEpochDoesNotMakeItReusable() throws Exception {
    long epoch = ledger.reserveNext("vm1", "a", "x", 0).epoch();
    arbiter.tryGoLive(new GoLiveClaim("vm1", epoch, "a", "lost b", Instant.now()));

    assertThat(ledger.reserveNext("vm1", "b", "y", 0).epoch()).isEqualTo(epoch + 1);
  }

  @Test
  void concurrentReservationsGetDistinctEpochs() throws Exception {
    Set<Long> epochs = ConcurrentHashMap.newKeySet();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String node = "n" + i;
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                  for (int k = 0; k < 5; k++) {
                    epochs.add(ledger.reserveNext("vm1", node, "o", 0).epoch());
                  }
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      threads.add(thread);
      thread.start();
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }

    assertThat(epochs).hasSize(40);
    assertThat(ledger.highestEpoch("vm1")).isEqualTo(39);
  }

  @Test
  void aRecordSurvivesARoundTripAndRejectsAForeignOne() throws Exception {
    PairingRecord record = new PairingRecord("vm1", 7, "a", "nbd=h:1 export=d", Instant.EPOCH);

    String text = SharedDirectoryPairingLedger.encode(record);

    assertThat(SharedDirectoryPairingLedger.decode(text, "vm1", 7)).isEqualTo(record);
    assertThatThrownBy(() -> SharedDirectoryPairingLedger.decode(text, "vm1", 8))
        .hasMessageContaining("filed as vm1 epoch 8");
  }

  @Test
  void storageWithoutItsMarkerIsUnavailable() throws Exception {
    Files.delete(dir.resolve(SharedDirectoryArbiter.MARKER_FILE));

    assertThatThrownBy(() -> ledger.reserveNext("vm1", "a", "x", 0))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("marker");
  }

  @Test
  void noReservationYetMeansNoEpoch() throws Exception {
    assertThat(ledger.latest("vm1")).isEmpty();
    assertThat(ledger.highestEpoch("vm1")).isEqualTo(GoLiveArbiter.NO_EPOCH);
  }

  @Test
  void aPrimaryThatStartedUnprotectedGetsAPairingAboveItsConfiguredEpoch() throws Exception {
    // Nothing on storage: the VM never was protected, its config says epoch 1.
    assertThat(ledger.reserveNext("vm1", "b", "x", 2).epoch()).isEqualTo(2);
    assertThat(ledger.reserveNext("vm1", "b", "y", 2).epoch()).isEqualTo(3);
  }
}
