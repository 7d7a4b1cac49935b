package io.ftvm.supervisor.hypervisor;

/** How QEMU's deterministic record/replay is used for a VM. */
public enum ReplayMode {
  /** Plain execution: no icount, no blkreplay, no filter-replay. */
  NONE,
  /** The primary: every non-deterministic input is written to the replay log. */
  RECORD,
  /** The backup: inputs come from the replay log instead of the outside world. */
  REPLAY
}
