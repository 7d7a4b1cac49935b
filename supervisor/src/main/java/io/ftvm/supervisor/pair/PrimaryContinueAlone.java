package io.ftvm.supervisor.pair;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The primary loses its backup and carries on unprotected: PRIMARY_PROTECTED (or STARTING, a backup
 * that never followed) → GOING_LIVE → PRIMARY_ALONE, or HALTED. Steps: test-and-set (own QEMU
 * checked before and after: a primary with a dead QEMU must leave the epoch to its backup) → stop
 * shipping log → open the gates (held outputs leave now). Its only wait is the test-and-set, so it
 * ends as soon as shared storage answers.
 */
final class PrimaryContinueAlone {
  private final RoleStateMachine roles;
  private final GuardedClaim claim;
  private final PrimaryLog primaryLog;
  private final OutputGates outputs;
  private final NodeHalt halt;
  private final Duration deadline;
  private final LongSupplier nanoClock;

  PrimaryContinueAlone(
      RoleStateMachine roles,
      GuardedClaim claim,
      PrimaryLog primaryLog,
      OutputGates outputs,
      NodeHalt halt,
      Duration deadline,
      LongSupplier nanoClock) {
    this.roles = roles;
    this.claim = claim;
    this.primaryLog = primaryLog;
    this.outputs = outputs;
    this.halt = halt;
    this.deadline = deadline;
    this.nanoClock = nanoClock;
  }

  void run(String why) {
    if (!roles.transition(NodeRole.GOING_LIVE, why)) {
      return;
    }
    GoLiveDeadline bound = GoLiveDeadline.start(deadline, nanoClock);
    GuardedClaim.Verdict verdict = claim.claim(why, bound);
    if (!verdict.live()) {
      halt.halt(verdict.haltReason());
      return;
    }
    primaryLog.stopShipping();
    outputs.openUnprotected();
    roles.transition(
        NodeRole.PRIMARY_ALONE, "alone, UNPROTECTED (won go-live for the epoch): " + why);
  }
}
