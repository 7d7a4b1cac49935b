package io.ftvm.supervisor.pair;

import java.time.Duration;

/** The backup's log on its way into QEMU, as a go-live needs it. */
interface ReplayDrain {

  /** Log bytes stored so far. */
  long receivedPosition();

  /** Waits until at least {@code position} bytes arrived; false on timeout. */
  boolean awaitReceived(long position, Duration timeout) throws InterruptedException;

  /**
   * No more log from the primary: later chunks are ignored, acks are no longer sent (and can no
   * longer fail), and the logging channel is disconnected. Never throws; QEMU keeps being fed what
   * already arrived.
   */
  void stopTaking();

  /** Waits until QEMU was handed every whole event received; false on timeout or failure. */
  boolean awaitFed(Duration timeout) throws InterruptedException;

  /** Bytes handed to QEMU. */
  long fedPosition();

  /** Why feeding QEMU failed, or null. */
  String failure();

  /** Ends QEMU's replay stream at the last whole event: the patched QEMU goes live there. */
  void endStream();
}
