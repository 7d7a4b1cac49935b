package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.time.Duration;

/** The joining node's end of the logging channel for one pairing attempt (one epoch). */
interface JoinSessions {

  interface Session {
    /** Waits for the primary's authenticated session at this epoch; false on timeout. */
    boolean awaitPrimary(Duration timeout) throws InterruptedException;

    /** Why the primary gave up (REPROTECT_ABORTED, session lost), or null while it has not. */
    String aborted();

    /** This side gives up: tell the primary (REPROTECT_ABORTED) and close. */
    void abort(String why);
  }

  /**
   * Listens for {@code primary} at {@code epoch} (identity vm + epoch must match on both ends, and
   * with TLS the primary's certificate must name {@code primary}).
   */
  Session listen(long epoch, String primary) throws IOException;
}
