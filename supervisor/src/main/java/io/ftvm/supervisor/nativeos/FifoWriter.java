package io.ftvm.supervisor.nativeos;

import java.io.IOException;

/** The write end of a {@link Fifo}. */
public final class FifoWriter implements AutoCloseable {
  /** PIPE_BUF on Linux: a write this small lands in the pipe whole or not at all. */
  public static final int ATOMIC_WRITE_BYTES = 4096;

  private final OwnedDescriptor descriptor;

  FifoWriter(OwnedDescriptor descriptor) {
    this.descriptor = descriptor;
  }

  /** Writes all bytes, blocking while the pipe is full. */
  public void write(byte[] buffer, int offset, int length) throws IOException {
    int done = 0;
    while (done < length) {
      done += descriptor.write(buffer, offset + done, length - done);
    }
  }

  /**
   * Bytes written into the pipe that the reader has not read yet ({@code FIONREAD}, which Linux
   * answers on either end of a pipe).
   */
  public int unread() throws IOException {
    return descriptor.ioctlInt(LibC.FIONREAD, "FIONREAD");
  }

  /** The pipe's buffer size in bytes. */
  public int capacity() throws IOException {
    return descriptor.fcntl(LibC.F_GETPIPE_SZ, 0, "F_GETPIPE_SZ");
  }

  @Override
  public void close() throws IOException {
    descriptor.close();
  }
}
