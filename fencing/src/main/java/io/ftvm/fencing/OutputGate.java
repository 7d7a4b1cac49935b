package io.ftvm.fencing;

/**
 * The point through which every output of a VM (network frames, console) leaves its supervisor.
 * Fencing closes it first, because a loser that is still running must not be able to speak.
 */
public interface OutputGate {

  /**
   * Stops all further output. Idempotent. When this returns, no output that has not already left
   * may leave any more; output still queued is dropped, never released.
   */
  void close();

  boolean isClosed();
}
