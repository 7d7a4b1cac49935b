package io.ftvm.supervisor.nativeos;

import java.io.IOException;
import java.time.Duration;

/** The read end of a {@link Fifo}. One reading thread at a time; close from any thread. */
public final class FifoReader implements AutoCloseable {
  private final OwnedDescriptor descriptor;

  FifoReader(OwnedDescriptor descriptor) {
    this.descriptor = descriptor;
  }

  /**
   * Reads what is available, waiting up to {@code timeout} for data.
   *
   * @return bytes read (at least 1); 0 if nothing arrived in time; -1 once the writer closed and
   *     everything it wrote was read
   */
  public int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
    if (length == 0) {
      return 0;
    }
    return descriptor.read(buffer, offset, length, timeout);
  }

  /**
   * Waits until {@link #read} would return at once (data or end of stream) without reading, so a
   * caller can do the read itself under a lock of its own.
   */
  public boolean awaitReadable(Duration timeout) throws IOException {
    return descriptor.awaitReadable(timeout);
  }

  /** Bytes written into the pipe and not yet read, right now ({@code FIONREAD}). */
  public int available() throws IOException {
    return descriptor.ioctlInt(LibC.FIONREAD, "FIONREAD");
  }

  /** The pipe's buffer size in bytes. */
  public int capacity() throws IOException {
    return descriptor.fcntl(LibC.F_GETPIPE_SZ, 0, "F_GETPIPE_SZ");
  }

  /**
   * Asks the kernel for a larger pipe buffer so a writer bursting log data is not throttled by a 64
   * KiB default. Unprivileged processes are capped by {@code /proc/sys/fs/pipe-max-size}.
   *
   * @return the size the kernel actually granted (rounded up to a power of two pages)
   */
  public int requestCapacity(int bytes) throws IOException {
    return descriptor.fcntl(LibC.F_SETPIPE_SZ, bytes, "F_SETPIPE_SZ(" + bytes + ")");
  }

  public boolean isOpen() {
    return descriptor.isOpen();
  }

  @Override
  public void close() throws IOException {
    descriptor.close();
  }
}
