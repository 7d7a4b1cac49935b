package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.nativeos.FifoWriter;
import java.io.IOException;

/**
 * Where the backup writes the log for its replaying QEMU: a FIFO in production, a fake in tests.
 * The feeder needs to know how much of what it wrote QEMU has not read yet, to tell how far the
 * replay really got.
 */
interface ReplayPipe extends AutoCloseable {
  /** The largest write that lands in the pipe whole or not at all. */
  int atomicWriteBytes();

  /** Writes all bytes ({@code length <= atomicWriteBytes()}), blocking while the pipe is full. */
  void write(byte[] buffer, int offset, int length) throws IOException;

  /** Bytes written and not read by QEMU yet. */
  int unread() throws IOException;

  @Override
  void close() throws IOException;

  static ReplayPipe of(FifoWriter fifo) {
    return new ReplayPipe() {
      @Override
      public int atomicWriteBytes() {
        return FifoWriter.ATOMIC_WRITE_BYTES;
      }

      @Override
      public void write(byte[] buffer, int offset, int length) throws IOException {
        fifo.write(buffer, offset, length);
      }

      @Override
      public int unread() throws IOException {
        return fifo.unread();
      }

      @Override
      public void close() throws IOException {
        fifo.close();
      }

      @Override
      public String toString() {
        return fifo.toString();
      }
    };
  }
}
