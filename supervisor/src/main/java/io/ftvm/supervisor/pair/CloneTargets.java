package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** Starts this node's empty clone target (the hypervisor's incoming VM, behind a pair boundary). */
interface CloneTargets {

  /** An incoming VM over this node's (empty) disk copy, waiting to be cloned into. */
  interface Target {
    /** Opens the NBD export and the migration listener; what the primary clones to. */
    JoinOffer listen() throws IOException;

    /**
     * Waits until the disk and the VM state arrived; false on timeout (and while still copying).
     */
    boolean awaitCloned(Duration timeout) throws IOException, InterruptedException;

    /** Cloned: follow the new pairing's log from {@code replayFifo} (the epoch's first byte). */
    void startFollowing(Path replayFifo) throws IOException;

    /** The attempt failed: the half-cloned VM is killed (never adopted). */
    void kill();
  }

  Target launch() throws IOException;
}
