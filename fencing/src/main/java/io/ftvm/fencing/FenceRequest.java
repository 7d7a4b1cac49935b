package io.ftvm.fencing;

import java.util.Objects;

/**
 * Why and whom to fence.
 *
 * @param nodeId the node being made harmless
 * @param peerNodeId the other node of the pair (the winner, when known); empty when unknown
 */
public record FenceRequest(
    String vmId, long epoch, String nodeId, String peerNodeId, String reason) {
  public FenceRequest {
    requireText("vmId", vmId);
    requireText("nodeId", nodeId);
    Objects.requireNonNull(peerNodeId, "peerNodeId (use \"\" when unknown)");
    Objects.requireNonNull(reason, "reason");
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0 but was " + epoch);
    }
  }

  private static void requireText(String what, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be null or blank");
    }
  }

  /** One line for logs. */
  public String describe() {
    return vmId + " epoch " + epoch + " on node " + nodeId + " (" + reason + ")";
  }
}
