package io.ftvm.fencing;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a VM process with SIGKILL and waits, up to a bound, until it has really exited.
 *
 * <p>SIGKILL rather than SIGTERM because a loser must stop now, not when it agrees to. "Exited"
 * includes the zombie state: a zombie has already released its memory, files and sockets, and
 * reaping it is its parent's business. A pid that no longer exists, or now belongs to a process
 * with a different start time, means our process is already gone: that is success, and the other
 * process is left alone.
 */
public final class ProcessKillFencer implements Fencer {
  public static final Duration DEFAULT_BOUND = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(ProcessKillFencer.class);
  private static final long MAX_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

  private final ProcessIdentity target;
  private final Duration bound;

  public ProcessKillFencer(ProcessIdentity target) {
    this(target, DEFAULT_BOUND);
  }

  public ProcessKillFencer(ProcessIdentity target, Duration bound) {
    if (bound.isNegative() || bound.isZero()) {
      throw new IllegalArgumentException("kill bound must be > 0 but was " + bound);
    }
    this.target = target;
    this.bound = bound;
  }

  @Override
  public String name() {
    return "kill-pid-" + target.pid();
  }

  @Override
  public FenceReport fence(FenceRequest request) {
    long start = System.nanoTime();
    FenceStep step;
    try {
      step = killAndAwaitExit(start);
    } catch (IOException | RuntimeException e) {
      log.error("killing pid {} for {} failed", target.pid(), request.describe(), e);
      step = FenceStep.failed(name(), elapsedSince(start), "could not kill: " + e);
    }
    return FenceReport.single(step, bound);
  }

  private FenceStep killAndAwaitExit(long start) throws IOException {
    Optional<String> alreadyGone = goneReason(ProcStat.read(target.pid()));
    if (alreadyGone.isPresent()) {
      return FenceStep.succeeded(name(), elapsedSince(start), alreadyGone.get());
    }
    Optional<ProcessHandle> handle = ProcessHandle.of(target.pid());
    // ProcessHandle.destroyForcibly() sends SIGKILL and itself refuses when the pid's start time
    // changed since the handle was taken.
    boolean signalled = handle.map(ProcessHandle::destroyForcibly).orElse(false);
    long signalledAt = System.nanoTime();
    if (!signalled) {
      Optional<String> goneMeanwhile = goneReason(ProcStat.read(target.pid()));
      return goneMeanwhile
          .map(reason -> FenceStep.succeeded(name(), elapsedSince(start), reason))
          .orElseGet(
              () ->
                  FenceStep.failed(
                      name(),
                      elapsedSince(start),
                      "SIGKILL to pid " + target.pid() + " was refused (permission?)"));
    }
    long deadline = start + bound.toNanos();
    long pause = TimeUnit.MICROSECONDS.toNanos(100);
    Optional<ProcStat> stat = ProcStat.read(target.pid());
    while (goneReason(stat).isEmpty() && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, MAX_POLL_NANOS);
      stat = ProcStat.read(target.pid());
    }
    Duration toDeath = elapsedSince(signalledAt);
    Optional<String> dead = goneReason(stat);
    if (dead.isPresent()) {
      return FenceStep.succeeded(
          name(),
          elapsedSince(start),
          "SIGKILL sent to pid "
              + target.pid()
              + "; dead "
              + FenceReport.formatMillis(toDeath)
              + " later ("
              + dead.get()
              + ")");
    }
    return FenceStep.failed(
        name(),
        elapsedSince(start),
        "pid "
            + target.pid()
            + " still alive "
            + FenceReport.formatMillis(toDeath)
            + " after SIGKILL, state "
            + stat.map(ProcStat::describeState).orElse("?"));
  }

  private Optional<String> goneReason(Optional<ProcStat> stat) {
    if (stat.isEmpty()) {
      return Optional.of("pid " + target.pid() + " no longer exists");
    }
    if (!target.matches(stat.get())) {
      return Optional.of(
          "pid "
              + target.pid()
              + " now belongs to a process started at tick "
              + stat.get().startTicks()
              + ", not ours (tick "
              + target.startTicks().getAsLong()
              + "): ours is gone, the new one is left alone");
    }
    if (stat.get().hasExited()) {
      return Optional.of(
          "pid " + target.pid() + " has exited (zombie, not yet reaped by its parent)");
    }
    return Optional.empty();
  }

  private static Duration elapsedSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
