package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
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
    // A timeout well above scheduling noise: "refused at once" must mean "did not wait for it"
    // even on a loaded CI host (a 100 ms bound once measured 164 ms there).
    Duration timeout = Duration.ofSeconds(1);
    try (TimeBoundedIo capped = new TimeBoundedIo("/mnt/share", timeout, 2)) {
      for (int i = 0; i < 2; i++) {
        assertThatThrownBy(() -> capped.run("probe", this::blockUninterruptibly))
            .hasMessageContaining("did not answer");
      }
      long start = System.nanoTime();

      assertThatThrownBy(() -> capped.run("probe", () -> "fine"))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("already has 2 operations that did not return");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(timeout.dividedBy(2));
    }
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
