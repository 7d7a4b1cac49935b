package io.ftvm.channel;

import java.nio.charset.StandardCharsets;

/**
 * Who this end of the channel is: the node, the protected VM and the pairing epoch. Both ends must
 * agree on vm id and epoch, otherwise a stale pairing could feed log into the wrong replica.
 */
public record NodeIdentity(String nodeId, String vmId, long epoch) {
  static final int MAX_ID_BYTES = 255;

  public NodeIdentity {
    requireId("nodeId", nodeId);
    requireId("vmId", vmId);
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0, got " + epoch);
    }
  }

  private static void requireId(String what, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    int length = value.getBytes(StandardCharsets.UTF_8).length;
    if (length > MAX_ID_BYTES) {
      throw new IllegalArgumentException(
          what + " is " + length + " bytes in UTF-8, at most " + MAX_ID_BYTES + " allowed");
    }
  }
}
