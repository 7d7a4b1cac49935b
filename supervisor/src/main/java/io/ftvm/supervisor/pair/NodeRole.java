package io.ftvm.supervisor.pair;

/** The role a node's supervisor plays for one VM; see shared/design.md "Roles". */
public enum NodeRole {
  /** Starting QEMU and the logging channel; no output released yet. */
  STARTING,
  /** Recording; every output waits for the backup's ack of the log that precedes it. */
  PRIMARY_PROTECTED,
  /** The backup is gone and this node won go-live for the epoch: outputs flow unprotected. */
  PRIMARY_ALONE,
  /** Replaying the primary's log as it arrives; outputs are discarded. */
  BACKUP_REPLAYING,
  /** The peer is lost (or handed off): draining, asking the arbiter, switching QEMU to live. */
  GOING_LIVE,
  /** Lost go-live, or stopped: QEMU dead, output gate closed. Terminal. */
  HALTED;

  public boolean releasesOutput() {
    return this == PRIMARY_PROTECTED || this == PRIMARY_ALONE;
  }
}
