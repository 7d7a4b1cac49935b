package io.ftvm.supervisor.pair;

import io.ftvm.fencing.ProcessIdentity;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/** This node's own copy of the VM (its QEMU), as the role transitions need it. */
interface Replica {

  /** True while this node's QEMU runs; false before it started and after it exited. */
  boolean isRunning();

  /** For reasons and logs, e.g. "QEMU pid 4711 exited with status 137". */
  String describe();

  /** Pauses the guest (QMP {@code stop}). */
  void pause() throws IOException;

  /** Resumes a paused guest (QMP {@code cont}). */
  void resume() throws IOException;

  /**
   * Waits until QEMU reports that it left replay and runs live.
   *
   * @return false on timeout, or as soon as QEMU is found dead
   */
  boolean awaitWentLive(Duration timeout) throws InterruptedException;

  /**
   * For fencing: from now on a QEMU that finishes starting is killed at once instead of being
   * adopted, and the one running now (if any) is returned so it can be killed.
   */
  Optional<ProcessIdentity> refuseLaunchesAndGetProcess();
}
