package io.ftvm.replay;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Append-only store of replay-log bytes, addressed by absolute byte position (position 0 is the
 * first header byte of the replay log).
 *
 * <p>Three positions matter, always {@code durablePosition() <= endPosition()}:
 *
 * <ul>
 *   <li>{@link #endPosition()}: bytes appended so far. Once {@link #append} returns they are
 *       visible to readers and survive a crash of THIS process (kill -9), because the bytes are in
 *       the kernel's page cache.
 *   <li>{@link #durablePosition()}: bytes known to be on stable storage, i.e. they survive a host
 *       crash or power loss. Advanced by {@link #sync()}.
 * </ul>
 *
 * Which one a backup may acknowledge is a policy decision of the caller (ack after append protects
 * against a supervisor crash, ack after sync against a host crash).
 *
 * <p>One writer: {@link #append} and {@link #sync} may be called from several threads but are
 * serialised. Each {@link LogReader} belongs to one thread at a time.
 */
public interface LogStore extends Closeable {

  /**
   * Appends {@code chunk} (all its remaining bytes; its position is advanced to its limit).
   *
   * @return the new end position
   */
  long append(ByteBuffer chunk) throws IOException;

  /** Absolute position just past the last appended byte. */
  long endPosition();

  /** Position up to which the bytes are known to be on stable storage. */
  long durablePosition();

  /**
   * Forces everything appended so far to stable storage.
   *
   * @return the new durable position (equal to the end position at the time of the call)
   */
  long sync() throws IOException;

  /**
   * Copies bytes starting at the absolute {@code position} into {@code dst} (as many as fit and
   * exist). Used to resend after a reconnect.
   *
   * @return bytes copied; 0 if {@code position == endPosition()}
   * @throws IllegalArgumentException if {@code position} is negative or beyond the end position
   */
  int readFrom(long position, ByteBuffer dst) throws IOException;

  /**
   * Opens a reader whose position is persisted under {@code tailerName}: after reopening the store
   * a reader of the same name resumes where the last one stopped (see {@link LogReader}).
   */
  LogReader openReader(String tailerName) throws IOException;
}
