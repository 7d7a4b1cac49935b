package io.ftvm.supervisor.nativeos;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import io.ftvm.channel.ThreadPriority;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the logging channel's failure detector and event loop under Linux SCHED_RR, as cluster
 * stacks do (corosync runs SCHED_RR): a realtime thread preempts every normal thread, so two QEMUs
 * and two booting JVMs on two cores cannot delay a heartbeat or a check. Both threads do little
 * work per wakeup; the kernel's RT throttling (95 % of a period by default) still bounds a runaway.
 * SCHED_RESET_ON_FORK keeps threads and processes they create (e.g. an executor started from a
 * callback) at normal priority. When the kernel refuses (no CAP_SYS_NICE, a cgroup without RT
 * bandwidth) the thread stays as it is and a WARN says why.
 */
public final class RealtimeThreadPriority implements ThreadPriority {
  private static final Logger log = LoggerFactory.getLogger(RealtimeThreadPriority.class);
  private static final int SCHED_RR = 2;
  private static final int SCHED_RESET_ON_FORK = 0x40000000;

  /** The detector outranks the event loop it watches; both stay far below kernel RT threads. */
  public static final int DETECTOR_PRIORITY = 20;

  public static final int EVENT_LOOP_PRIORITY = 10;

  private interface Sched extends Library {
    int gettid();

    int sched_setscheduler(int pid, int policy, IntByReference param) throws LastErrorException;

    String strerror(int errno);
  }

  private final Sched sched;

  private RealtimeThreadPriority(Sched sched) {
    this.sched = sched;
  }

  /** The Linux implementation, or {@link ThreadPriority#unchanged()} where libc is unavailable. */
  public static ThreadPriority create() {
    try {
      return new RealtimeThreadPriority(Native.load("c", Sched.class));
    } catch (UnsatisfiedLinkError e) {
      log.warn("cannot load libc for thread priorities; channel threads run at normal priority");
      return ThreadPriority.unchanged();
    }
  }

  @Override
  public String raiseCurrentThread(Duty duty) {
    int priority = duty == Duty.FAILURE_DETECTOR ? DETECTOR_PRIORITY : EVENT_LOOP_PRIORITY;
    int tid = -1;
    try {
      tid = sched.gettid();
      sched.sched_setscheduler(tid, SCHED_RR | SCHED_RESET_ON_FORK, new IntByReference(priority));
      return "SCHED_RR " + priority + " (tid " + tid + ")";
    } catch (LastErrorException e) {
      String why = sched.strerror(e.getErrorCode());
      log.warn(
          "cannot run {} thread {} (tid {}) under SCHED_RR {}: {}; it keeps normal priority, so a"
              + " busy host can delay heartbeats",
          duty,
          Thread.currentThread().getName(),
          tid,
          priority,
          why);
      return "unchanged: " + why;
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      log.warn("cannot raise {} thread priority: {}; it keeps normal priority", duty, e.toString());
      return "unchanged: " + e;
    }
  }
}
