package io.ftvm.replay;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Sequential reader of a {@link LogStore}. Named readers persist their progress at chunk
 * granularity: a chunk counts as consumed only once it was read completely. After a restart a
 * reader therefore resumes at the start of the first chunk not fully read, and {@link #position()}
 * says exactly which byte comes next, so a consumer can skip what it already has.
 */
public interface LogReader extends Closeable {

  /** Absolute position of the next byte {@link #read} returns. */
  long position();

  /**
   * Copies available bytes into {@code dst}.
   *
   * @return bytes copied; 0 if no bytes are available yet
   */
  int read(ByteBuffer dst) throws IOException;

  /** Moves to an absolute position in {@code [0, endPosition]}. */
  void seek(long position) throws IOException;
}
