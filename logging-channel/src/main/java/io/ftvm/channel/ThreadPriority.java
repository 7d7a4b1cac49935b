package io.ftvm.channel;

/**
 * Raises the scheduling priority of the channel's own threads, so a busy host (QEMUs, JIT and GC
 * threads of other JVMs) cannot delay heartbeats and failure checks. Injected through {@link
 * ChannelSettings} because the mechanism is OS-specific (the supervisor uses Linux SCHED_RR via
 * JNA) and tests run without it.
 */
@FunctionalInterface
public interface ThreadPriority {
  /** What a thread does; the failure detector ranks above the I/O thread it watches. */
  enum Duty {
    /** Times heartbeats and checks the peer; runs a few microseconds per tick. */
    FAILURE_DETECTOR,
    /** The endpoint's event loop: reads and writes every frame, heartbeats included. */
    CHANNEL_IO
  }

  /**
   * Raises the calling thread's priority for {@code duty}. Must not throw: when the OS refuses (no
   * CAP_SYS_NICE, RT bandwidth of a cgroup), it leaves the thread as it is and says so.
   *
   * @return what was applied, for the log (e.g. "SCHED_RR 20" or "unchanged: EPERM")
   */
  String raiseCurrentThread(Duty duty);

  /** Leaves every thread at its inherited priority (tests, non-Linux hosts). */
  static ThreadPriority unchanged() {
    return duty -> "unchanged (no priority policy configured)";
  }
}
