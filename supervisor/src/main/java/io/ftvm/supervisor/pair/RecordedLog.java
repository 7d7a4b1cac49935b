package io.ftvm.supervisor.pair;

import io.ftvm.channel.LogStreamSender;
import java.io.IOException;
import java.time.Duration;

/**
 * The primary's log as its transitions see it: the pump that stores it, the sender that ships it.
 */
final class RecordedLog implements PrimaryLog {
  private static final Duration FLUSH_WINDOW = Duration.ofMillis(100);
  private static final long POLL_MILLIS = 5;

  private final PrimaryLogPump pump;
  private final LogStreamSender sender;

  RecordedLog(PrimaryLogPump pump, LogStreamSender sender) {
    this.pump = pump;
    this.sender = sender;
  }

  @Override
  public long storedPosition() {
    return pump.storedPosition();
  }

  /**
   * A paused recording QEMU keeps logging timer checkpoints (no guest instructions, no outputs), so
   * the log never goes quiet; but its main loop flushes before every poll, so once a flush window
   * has passed after {@code stop} returned and the pump has drained the pipe, all pre-pause events
   * are stored.
   */
  @Override
  public long positionAfterPause(Duration timeout) throws IOException, InterruptedException {
    long pausedAt = System.nanoTime();
    long deadline = pausedAt + timeout.toNanos();
    while (System.nanoTime() - deadline < 0) {
      if (System.nanoTime() - pausedAt >= FLUSH_WINDOW.toNanos() && pump.drained()) {
        return pump.storedPosition();
      }
      Thread.sleep(POLL_MILLIS);
    }
    throw new IOException("the log pipe did not drain after pausing the VM");
  }

  @Override
  public boolean awaitAcked(long position, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sender.ackedPosition() < position) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(POLL_MILLIS);
    }
    return true;
  }

  @Override
  public void stopShipping() {
    pump.shipTo(LogShipper.NOBODY);
    sender.close();
  }
}
