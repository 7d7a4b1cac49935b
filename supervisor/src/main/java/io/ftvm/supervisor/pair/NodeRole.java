package io.ftvm.supervisor.pair;

/** The role a node's supervisor plays for one VM; see shared/design.md "Roles". */
public enum NodeRole {
  /**
   * Starting QEMU and the logging channel; no output released yet. A primary stays here, recording
   * with its outputs held, until the backup's first ack (it acks only after the replicas matched).
   */
  STARTING,
  /** Recording; every output waits for the backup's ack of the log that precedes it. */
  PRIMARY_PROTECTED,
  /** The backup is gone and this node won go-live for the epoch: outputs flow unprotected. */
  PRIMARY_ALONE,
  /** Replaying the primary's log as it arrives; outputs are discarded. */
  BACKUP_REPLAYING,
  /** The peer is lost (or handed off): draining, asking the arbiter, switching QEMU to live. */
  GOING_LIVE,
  /**
   * Alone, cloning the running VM to a new backup (disk + RAM copied while it runs). Outputs still
   * flow unheld as in PRIMARY_ALONE; from the switch on (the VM records a new log for epoch+1) they
   * are held until the new backup acknowledges it. Ends PRIMARY_PROTECTED (epoch+1) or, on failure,
   * PRIMARY_ALONE again.
   */
  REPROTECTING,
  /**
   * A node that comes (back) with no valid replica: its old disk copy and log are discarded, it
   * offers itself as the backup of a new pairing and waits for the primary to clone to it.
   */
  JOINING,
  /** Receiving the primary's disk and RAM; never claims go-live, outputs discarded. */
  CLONING,
  /** Lost go-live, or stopped: QEMU dead, output gate closed. Terminal. */
  HALTED;

  public boolean releasesOutput() {
    return this == PRIMARY_PROTECTED || this == PRIMARY_ALONE || this == REPROTECTING;
  }
}
