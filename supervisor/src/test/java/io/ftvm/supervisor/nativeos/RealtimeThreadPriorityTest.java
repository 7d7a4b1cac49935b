package io.ftvm.supervisor.nativeos;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.channel.ThreadPriority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Linux scheduling of the channel's threads, read back from /proc. */
class RealtimeThreadPriorityTest {
  private static final int SCHED_OTHER = 0;
  private static final int SCHED_RR = 2;

  /** Field 41 of /proc/self/task/TID/stat: the scheduling policy. */
  private static int policyOf(long tid) throws IOException {
    String stat = Files.readString(Path.of("/proc/self/task/" + tid + "/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Integer.parseInt(fields[41 - 3]);
  }

  private static long currentTid() throws IOException {
    return Long.parseLong(Path.of("/proc/thread-self").toRealPath().getFileName().toString());
  }

  @Test
  void raisesOnlyTheCallingThreadAndNotThreadsItStarts() throws Exception {
    ThreadPriority priority = RealtimeThreadPriority.create();
    AtomicReference<String> applied = new AtomicReference<>();
    AtomicReference<int[]> policies = new AtomicReference<>();
    Thread raised =
        new Thread(
            () -> {
              try {
                applied.set(priority.raiseCurrentThread(ThreadPriority.Duty.FAILURE_DETECTOR));
                int own = policyOf(currentTid());
                int[] child = new int[1];
                Thread started =
                    new Thread(
                        () -> {
                          try {
                            child[0] = policyOf(currentTid());
                          } catch (IOException e) {
                            child[0] = -1;
                          }
                        });
                started.start();
                started.join();
                policies.set(new int[] {own, child[0]});
              } catch (Exception e) {
                policies.set(new int[] {-1, -1});
              }
            });
    raised.start();
    raised.join();
    assertThat(policyOf(currentTid())).as("the test thread itself").isEqualTo(SCHED_OTHER);
    if (applied.get().startsWith("unchanged")) {
      // Not permitted here (no CAP_SYS_NICE): the thread keeps its policy and says why.
      assertThat(policies.get()).containsExactly(SCHED_OTHER, SCHED_OTHER);
      return;
    }
    assertThat(applied.get()).startsWith("SCHED_RR " + RealtimeThreadPriority.DETECTOR_PRIORITY);
    assertThat(policies.get())
        .as("raised thread, then a thread it started (SCHED_RESET_ON_FORK)")
        .containsExactly(SCHED_RR, SCHED_OTHER);
  }
}
