package io.ftvm.lock;

import java.time.Instant;

/**
 * One reserved pairing: epoch {@code epoch} of {@code vmId} pairs the current primary with {@code
 * joinerNodeId} as its new backup; {@code offer} says how to reach the joiner's clone target.
 */
public record PairingRecord(
    String vmId, long epoch, String joinerNodeId, String offer, Instant reservedAt) {
  public PairingRecord {
    VmIds.requireValidVmId(vmId);
    VmIds.requireValidNodeId(joinerNodeId);
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0 but was " + epoch);
    }
    if (offer == null || offer.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("offer must be one line");
    }
  }
}
