package io.ftvm.supervisor.hypervisor;

/** How QEMU's deterministic record/replay is used for a VM. */
public enum ReplayMode {
  /** Plain execution: no icount, no blkreplay, no filter-replay. */
  NONE,
  /** The primary: every non-deterministic input is written to the replay log. */
  RECORD,
  /** The backup: inputs come from the replay log instead of the outside world. */
  REPLAY,
  /**
   * Runs like a primary without a log (icount, blkreplay, filter-replay, {@code rrlater=on}), so it
   * can be cloned and start recording later without a reboot (qemu-patches 0009).
   */
  PROTECTABLE,
  /**
   * An empty incoming clone ({@code -incoming defer -S}) with the devices of {@link #PROTECTABLE}:
   * receives a running VM's disk and state, then follows its new log.
   */
  CLONE_TARGET;

  /** Whether QEMU is started with a replay log ({@code rr=record|replay}). */
  boolean hasLogAtStart() {
    return this == RECORD || this == REPLAY;
  }
}
