package io.ftvm.supervisor.pair;

import java.nio.file.Path;

/** The backup's epoch-bound parts (log intake, go-live), as a finished join switches them on. */
interface BackupEpochs {

  /** Where the cloned VM will read the new pairing's log. */
  Path replayFifo(long epoch);

  /**
   * The cloned replica follows the new pairing: its log is stored per epoch and fed to {@code
   * target}, and losing the primary from now on goes live by claiming {@code epoch}; {@code
   * primary} is this node's peer from now on.
   */
  void adopt(long epoch, String primary, CloneTargets.Target target, JoinSessions.Session session);
}
