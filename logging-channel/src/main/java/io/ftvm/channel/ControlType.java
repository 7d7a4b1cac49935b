package io.ftvm.channel;

/** Small typed messages that coordinate role changes between primary and backup. */
public enum ControlType {
  /** Primary asks the backup to prepare taking over once it has replayed up to the position. */
  HANDOFF_REQUEST(1),
  /** Backup has replayed everything it was asked to and can take over. */
  HANDOFF_READY(2),
  /** Primary will send nothing beyond the position; the stream is complete. */
  END_OF_STREAM(3),
  /**
   * The sender's own replica failed (its QEMU died, or its replay stalled) and it is fencing
   * itself; its log is complete up to the position. The receiver treats this as losing its peer, at
   * once instead of after the detection timeout.
   */
  PEER_FAILED(4),
  /**
   * Re-protection: the pairing attempt for the epoch in the position field failed on the sender's
   * side (clone error, timeout, the primary gave up). A joining backup discards its partial copy
   * and offers itself again; a primary returns to running alone. Saves waiting for the detection
   * timeout; losing the session means the same.
   */
  REPROTECT_ABORTED(5),
  /**
   * Pair start: the primary's replica digest (the first 63 bits of its disks' digest, in the
   * position field), sent first on every session. The backup acknowledges no log until it matched
   * its own, and refuses to pair when it differs.
   */
  REPLICA_DIGEST(6),
  /**
   * The guest's IPv4 address as the primary learned it from the guest's traffic (unsigned 32 bits
   * in the position field), for a guest whose address was not configured: the backup announces it
   * with gratuitous ARP when it goes live.
   */
  GUEST_ADDRESS(7);

  private final int wireCode;

  ControlType(int wireCode) {
    this.wireCode = wireCode;
  }

  public int wireCode() {
    return wireCode;
  }

  static ControlType fromWire(int code) {
    for (ControlType type : values()) {
      if (type.wireCode == code) {
        return type;
      }
    }
    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown control type " + code);
  }
}
