package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.lock.GoLiveClaim;
import io.ftvm.lock.SharedDirectoryArbiter;
import io.ftvm.lock.SharedDirectoryPairingLedger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who a joining node (old peer or spare) expects as its primary, from real shared storage. */
class ArbiterPrimaryLocatorTest {
  @TempDir Path shared;
  private SharedDirectoryArbiter arbiter;
  private ArbiterPrimaryLocator locator;

  @BeforeEach
  void storage() throws Exception {
    SharedDirectoryArbiter.initializeStorage(shared);
    arbiter = new SharedDirectoryArbiter(shared, Duration.ofSeconds(2));
    locator = new ArbiterPrimaryLocator(arbiter, "vm1", 1, "a");
  }

  @AfterEach
  void close() {
    arbiter.close();
  }

  private void claim(long epoch, String node) throws Exception {
    arbiter.tryGoLive(new GoLiveClaim("vm1", epoch, node, "test", Instant.now()));
  }

  @Test
  void withNoClaimTheConfigsInitialPrimaryRunsTheVm() throws Exception {
    assertThat(locator.currentPrimary()).isEqualTo("a");
  }

  @Test
  void theWinnerOfTheFailoverIsPrimary() throws Exception {
    claim(1, "b");

    assertThat(locator.currentPrimary()).isEqualTo("b");
  }

  @Test
  void reservedEpochsAboveTheLastClaimChangeNothingAndALaterClaimWins() throws Exception {
    claim(1, "b");
    SharedDirectoryPairingLedger ledger =
        new SharedDirectoryPairingLedger(shared, Duration.ofSeconds(2));
    ledger.reserveNext("vm1", "c", "nbd=h:1 export=e migration=h:2", 2);
    ledger.reserveNext("vm1", "a", "nbd=h:1 export=e migration=h:2", 2);

    assertThat(locator.currentPrimary()).isEqualTo("b");

    claim(2, "c"); // spare c, cloned at epoch 2, went live when b failed
    assertThat(locator.currentPrimary()).isEqualTo("c");
  }
}
