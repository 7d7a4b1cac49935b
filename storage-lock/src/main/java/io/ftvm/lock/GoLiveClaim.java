package io.ftvm.lock;

import java.time.Instant;
import java.util.Objects;

/**
 * A node's request to take {@code vmId} live for the pairing {@code epoch}.
 *
 * @param reason why the node wants to go live (e.g. "peer heartbeat lost for 800ms"); free text
 */
public record GoLiveClaim(
    String vmId, long epoch, String nodeId, String reason, Instant timestamp) {
  public GoLiveClaim {
    VmIds.requireValidVmId(vmId);
    VmIds.requireValidNodeId(nodeId);
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0 but was " + epoch);
    }
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(timestamp, "timestamp");
  }
}
