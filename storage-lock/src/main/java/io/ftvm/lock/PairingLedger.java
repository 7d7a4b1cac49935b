package io.ftvm.lock;

import java.util.Optional;

/**
 * Numbers protected pairings of a VM so that an epoch is never used twice. Re-protection (a new
 * backup cloned from the running primary) starts a new pairing at an epoch above every epoch that
 * was ever claimed (go-live record) or reserved (pairing record), and the next failure claims that
 * epoch. Reservations live on the same shared storage as the go-live records, so both nodes, and a
 * node whose daemon restarts with stale state, see them.
 */
public interface PairingLedger {

  /**
   * Reserves the next unused epoch for a new pairing of {@code vmId} in which {@code joinerNodeId}
   * becomes the backup. Atomic across processes and hosts: two concurrent reservations never get
   * the same epoch, and an epoch once reserved (or claimed) is never returned again, even if the
   * pairing failed.
   *
   * @param offer what the primary needs to clone to the joiner (endpoints), opaque here
   * @param atLeast the lowest epoch acceptable (above the pair's configured epoch: a primary that
   *     started unprotected has no record of it on storage)
   */
  PairingRecord reserveNext(String vmId, String joinerNodeId, String offer, long atLeast)
      throws StorageUnavailableException;

  /** The highest-numbered pairing reservation of {@code vmId}, if any. */
  Optional<PairingRecord> latest(String vmId) throws StorageUnavailableException;

  /**
   * The highest epoch of {@code vmId} that was claimed or reserved, or {@link
   * GoLiveArbiter#NO_EPOCH}. A node that comes back with state of an epoch at or below this one
   * must not trust that state: the pair may have moved on without it.
   */
  long highestEpoch(String vmId) throws StorageUnavailableException;
}
