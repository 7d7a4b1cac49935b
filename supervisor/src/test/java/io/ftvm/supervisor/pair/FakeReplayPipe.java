package io.ftvm.supervisor.pair;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/** A pipe with a replaying "QEMU" the test drives by hand: it reads only when told to. */
final class FakeReplayPipe implements ReplayPipe {
  private final int capacity;
  private final ByteArrayOutputStream written = new ByteArrayOutputStream();
  private int unread;
  private boolean closed;

  FakeReplayPipe(int capacity) {
    this.capacity = capacity;
  }

  @Override
  public int atomicWriteBytes() {
    return 4096;
  }

  @Override
  public synchronized void write(byte[] buffer, int offset, int length) throws IOException {
    while (unread + length > capacity) {
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    if (closed) {
      throw new IOException("pipe closed");
    }
    written.write(buffer, offset, length);
    unread += length;
  }

  @Override
  public synchronized int unread() {
    return unread;
  }

  /** QEMU reads {@code bytes} more. */
  synchronized void consume(int bytes) {
    unread -= Math.min(bytes, unread);
    notifyAll();
  }

  synchronized void consumeAll() {
    consume(unread);
  }

  synchronized long writtenBytes() {
    return written.size();
  }

  synchronized byte[] writtenContent() {
    return written.toByteArray();
  }

  synchronized boolean closed() {
    return closed;
  }

  @Override
  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}
