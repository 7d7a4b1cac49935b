package io.ftvm.supervisor.pair;

import java.io.IOException;

/**
 * This node's own copy of the VM on disk: its disk image and its stored logs. A node that comes
 * back after being fenced (or after any gap) must never trust them: the pair went on without it.
 */
interface ReplicaState {

  /**
   * Throws the old replica away: every stored log, and the disk replaced by an empty (sparse) image
   * of the same size for the clone to fill.
   *
   * @return what was discarded, for the log
   */
  String discard() throws IOException;
}
