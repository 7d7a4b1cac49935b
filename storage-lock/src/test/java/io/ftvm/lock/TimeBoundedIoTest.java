package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeBoundedIoTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final TimeBoundedIo io = new TimeBoundedIo("/mnt/share", Duration.ofMillis(200), 2);

  @AfterEach
  void releaseBlockedCalls() {
    release.countDown();
    io.close();
  }

  @Test
  void blockedCallTurnsIntoUnavailableWithinTimeout() {
    long start = System.nanoTime();

    assertThatThrownBy(() -> io.run("claim vm epoch 1", this::blockUninterruptibly))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessage("shared storage /mnt/share did not answer within 200ms (claim vm epoch 1)");

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
  }

  @Test
  void hungOperationsAreCappedSoThreadsDoNotPileUp() {
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> io.run("probe", this::blockUninterruptibly))
          .hasMessageContaining("did not answer");
    }
    AtomicBoolean ran = new AtomicBoolean();

    // Refused, not timed out (that message would say "did not answer"), and never started: no
    // third thread piles up behind the two hung ones. No wall-clock bound: a loaded host once
    // took 164 ms, and at nice 19 675 ms, to return this refusal.
    assertThatThrownBy(() -> io.run("probe", () -> ran.getAndSet(true)))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessageContaining("already has 2 operations that did not return");
    assertThat(ran).isFalse();
  }

  @Test
  void ioErrorIsReportedWithOperationAndCause() {
    assertThatThrownBy(
            () ->
                io.run(
                    "read winner",
                    () -> {
                      throw new IOException("Stale file handle");
                    }))
        .isInstanceOf(StorageUnavailableException.class)
        .hasMessage(
            "shared storage /mnt/share failed during read winner: IOException Stale file handle");
  }

  @Test
  void resultIsReturnedWhenStorageAnswers() throws Exception {
    assertThat(io.run("probe", () -> 42)).isEqualTo(42);
    assertThat(io.hungOperations()).isZero();
  }

  @Test
  void hungOperationThatFinallyReturnsFreesItsSlot() {
    assertThatThrownBy(() -> io.run("probe", this::blockUninterruptibly))
        .hasMessageContaining("did not answer");
    assertThat(io.hungOperations()).isEqualTo(1);

    release.countDown();

    await().atMost(Duration.ofSeconds(5)).until(() -> io.hungOperations() == 0);
  }

  private String blockUninterruptibly() {
    boolean interrupted = false;
    while (release.getCount() > 0) {
      try {
        release.await();
      } catch (InterruptedException e) {
        // Mimic a thread stuck in an NFS system call, which ignores interrupts.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return "late";
  }
}
