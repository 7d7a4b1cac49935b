package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.time.Duration;

/** The primary's log on its way to the backup, as the primary's transitions need it. */
interface PrimaryLog {

  /** Whole events stored (and offered to the backup) so far. */
  long storedPosition();

  /**
   * After the VM paused: the position that covers everything the VM did before the pause.
   *
   * @throws IOException if the log pipe did not drain within {@code timeout}
   */
  long positionAfterPause(Duration timeout) throws IOException, InterruptedException;

  /** Waits until the backup acknowledged {@code position}; false on timeout. */
  boolean awaitAcked(long position, Duration timeout) throws InterruptedException;

  /** No backup any more: stop shipping (and stop waiting for its flow-control window). */
  void stopShipping();
}
