package io.ftvm.supervisor.pair;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The new pairing's log on the primary: a new FIFO the VM records into from the switch on, its own
 * log store (per epoch, starting at byte 0) and a logging-channel session to the joining node at
 * the new epoch. Until the switch the VM does not write into it.
 */
interface PairingStream extends PrimaryLog {

  long epoch();

  /** Where the VM starts recording at the switch. */
  Path recordingFifo();

  /** Tags outputs with this stream's positions (0 until the VM records into it). */
  OutputTagger tagger();

  /** Waits for the authenticated session with the joining node; false on timeout. */
  boolean awaitPeerConnected(Duration timeout) throws InterruptedException;

  /**
   * True once the VM records into this stream: from then on the new backup may be replaying it and
   * may claim this epoch, so a loss must go through the arbiter, never silently back to alone.
   */
  boolean switched();

  /** Waits until the new backup acknowledged log within the replay bound; false on timeout. */
  boolean awaitCaughtUp(Duration timeout) throws InterruptedException;

  /** Bytes the new backup acknowledged so far. */
  long ackedPosition();

  /** The attempt failed before the switch: tell the joiner (REPROTECT_ABORTED) and close. */
  void abandon(String why);
}
