package io.ftvm.channel;

import java.nio.ByteBuffer;

/**
 * Read access to the primary's durable log, used to resend from the backup's durable position after
 * a reconnect.
 */
@FunctionalInterface
public interface LogSource {
  /**
   * Copies log bytes starting at {@code position} into {@code dst} and returns how many were
   * copied. The copied range must end on a replay-event boundary (return whole chunks as they were
   * offered); return 0 if no whole chunk starting at {@code position} fits into {@code dst}.
   *
   * @throws java.io.UncheckedIOException or IllegalArgumentException if the position is no longer
   *     (or not yet) available
   */
  int read(long position, ByteBuffer dst);
}
