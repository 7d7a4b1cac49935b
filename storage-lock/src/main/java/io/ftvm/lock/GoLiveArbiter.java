package io.ftvm.lock;

import java.util.Optional;

/**
 * Decides which node may take a VM live for one protected pairing (epoch).
 *
 * <p>Contract: for a given (vmId, epoch) at most one node ever wins, across processes and hosts
 * sharing the same backend. Asking again as the node that already won returns {@link
 * GoLiveDecision.Outcome#WON} again, so a supervisor may retry after a lost reply. Whenever the
 * backend cannot give a definite answer the call throws {@link StorageUnavailableException}; it
 * never guesses "won".
 */
public interface GoLiveArbiter extends AutoCloseable {

  /** Value returned by {@link #highestEpoch(String)} when no epoch was ever claimed for a VM. */
  long NO_EPOCH = -1;

  /** Atomically claims go-live for (claim.vmId, claim.epoch); returns who owns it afterwards. */
  GoLiveDecision tryGoLive(GoLiveClaim claim) throws StorageUnavailableException;

  /** The recorded winner of (vmId, epoch), or empty when nobody has claimed it yet. */
  Optional<GoLiveRecord> winner(String vmId, long epoch) throws StorageUnavailableException;

  /**
   * The highest epoch that has a go-live record for the VM, or {@link #NO_EPOCH}. Re-protection
   * starts the new pairing at this value plus one.
   */
  long highestEpoch(String vmId) throws StorageUnavailableException;

  /**
   * Proves the backend can currently answer and accept a claim (for health checks and status);
   * throws with the reason when it cannot.
   */
  void checkReachable() throws StorageUnavailableException;

  /** Human-readable location of the backend, e.g. the shared directory, for logs and status. */
  String describe();

  @Override
  void close();
}
