package io.ftvm.supervisor.pair;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.SharedDirectoryArbiter;
import io.ftvm.lock.SharedDirectoryPairingLedger;
import io.ftvm.lock.ZooKeeperArbiter;
import io.ftvm.lock.ZooKeeperConnection;
import io.ftvm.lock.ZooKeeperPairingLedger;
import java.time.Duration;

/**
 * The go-live arbiter and pairing ledger a node uses, built from the pair config's {@link
 * ArbiterSpec}; both live on the same backend so that epochs claimed and reserved are seen
 * together. Closing it closes the backend's connection.
 */
public final class Arbitration implements AutoCloseable {
  private final GoLiveArbiter arbiter;
  private final PairingLedger ledger;
  private final AutoCloseable resources;

  private Arbitration(GoLiveArbiter arbiter, PairingLedger ledger, AutoCloseable resources) {
    this.arbiter = arbiter;
    this.ledger = ledger;
    this.resources = resources;
  }

  /**
   * @param opTimeout bound on every arbiter call (the daemon's --storage-timeout)
   */
  public static Arbitration open(PairConfig config, Duration opTimeout) {
    ArbiterSpec spec = config.arbiterSpec();
    spec.validate();
    if (spec.isSharedDirectory()) {
      SharedDirectoryArbiter arbiter =
          new SharedDirectoryArbiter(config.sharedDirectory(), opTimeout);
      SharedDirectoryPairingLedger ledger =
          new SharedDirectoryPairingLedger(config.sharedDirectory(), opTimeout);
      return new Arbitration(
          arbiter,
          ledger,
          () -> {
            ledger.close();
            arbiter.close();
          });
    }
    ZooKeeperConnection zk =
        new ZooKeeperConnection(
            spec.connect(),
            spec.rootOrDefault(),
            Duration.ofMillis(spec.sessionTimeoutMillisOrDefault()),
            opTimeout);
    return new Arbitration(
        new ZooKeeperArbiter(zk, false), new ZooKeeperPairingLedger(zk, false), zk);
  }

  public GoLiveArbiter arbiter() {
    return arbiter;
  }

  public PairingLedger ledger() {
    return ledger;
  }

  @Override
  public void close() {
    try {
      resources.close();
    } catch (Exception e) {
      throw new IllegalStateException("closing the arbiter " + arbiter.describe() + " failed", e);
    }
  }
}
