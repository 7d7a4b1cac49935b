package io.ftvm.supervisor.pair;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.GoLiveRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.util.Optional;

/**
 * The current primary from the go-live arbiter: every node that runs the VM alone got there by
 * winning its pairing's epoch (a backup going live, a primary going on without its backup), so the
 * winner of the highest claimed epoch runs it now. Pairings reserved above it (offers, a
 * re-protection under way) were not claimed and change nothing. With no claim at all the config's
 * initial primary still runs it (a pair started unprotected, or one that never failed over).
 */
final class ArbiterPrimaryLocator implements PrimaryLocator {
  private final GoLiveArbiter arbiter;
  private final String vmId;
  private final long configEpoch;
  private final String initialPrimary;

  ArbiterPrimaryLocator(
      GoLiveArbiter arbiter, String vmId, long configEpoch, String initialPrimary) {
    this.arbiter = arbiter;
    this.vmId = vmId;
    this.configEpoch = configEpoch;
    this.initialPrimary = initialPrimary;
  }

  @Override
  public String currentPrimary() throws StorageUnavailableException {
    // A record whose winner cannot be read (corrupt) tells nothing: the claim below it does.
    for (long epoch = arbiter.highestEpoch(vmId); epoch >= configEpoch; epoch--) {
      Optional<String> winner = arbiter.winner(vmId, epoch).flatMap(GoLiveRecord::nodeId);
      if (winner.isPresent()) {
        return winner.get();
      }
    }
    return initialPrimary;
  }
}
