package io.ftvm.supervisor.nativeos;

import java.io.IOException;

/** The write end of a {@link Fifo}. */
public final class FifoWriter implements AutoCloseable {
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

  @Override
  public void close() throws IOException {
    descriptor.close();
  }
}
