package io.ftvm.fencing;

/**
 * Where a measure runs in a {@link FencingSequence}. The order is the safety argument: output is
 * shut off before anything slow happens, so the loser is silent from the first step on.
 */
public enum FencePhase {
  /** Close the output gate: instant, and afterwards nothing the loser does reaches clients. */
  CLOSE_OUTPUT,
  /** Kill the loser's QEMU so it stops changing state and using resources. */
  KILL_VM,
  /** Admin hooks (STONITH, libvirt destroy); slowest, may involve other machines. */
  EXTERNAL,
  /** Halt the supervisor itself; only when an earlier step failed. */
  SELF_FENCE_ON_FAILURE
}
