package io.ftvm.fencing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.OptionalLong;

/**
 * A process as it was when we learnt about it: its pid plus its start time, so that a later kill
 * can tell "our QEMU" from an unrelated process that happens to have been given the same pid.
 *
 * @param startTicks start time in clock ticks since boot (field 22 of /proc/pid/stat); empty when
 *     it could not be captured, in which case pid reuse cannot be detected
 */
public record ProcessIdentity(long pid, OptionalLong startTicks) {

  public ProcessIdentity {
    if (pid <= 1) {
      throw new IllegalArgumentException("refusing to fence pid " + pid + ": not a VM process");
    }
  }

  /** Captures the identity of a running process; call it right after starting QEMU. */
  public static ProcessIdentity of(ProcessHandle process) {
    return of(process.pid());
  }

  public static ProcessIdentity of(long pid) {
    try {
      return new ProcessIdentity(
          pid,
          ProcStat.read(pid)
              .map(stat -> OptionalLong.of(stat.startTicks()))
              .orElse(OptionalLong.empty()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read /proc/" + pid + "/stat", e);
    }
  }

  /** True when {@code stat} describes this very process and not a later one with the same pid. */
  boolean matches(ProcStat stat) {
    return startTicks.isEmpty() || startTicks.getAsLong() == stat.startTicks();
  }
}
