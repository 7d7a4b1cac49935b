package io.ftvm.supervisor.follow;

import io.ftvm.replay.LogReader;
import io.ftvm.replay.LogStore;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * A {@link LogStore} in heap memory. These tests exercise QEMU and the pump/feeder pair, not
 * durability; keeping the log in memory also lets a test cut it at any byte it likes.
 */
public final class InMemoryLogStore implements LogStore {
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

  @Override
  public synchronized long append(ByteBuffer chunk) {
    byte[] copy = new byte[chunk.remaining()];
    chunk.get(copy);
    bytes.writeBytes(copy);
    return bytes.size();
  }

  @Override
  public synchronized long endPosition() {
    return bytes.size();
  }

  @Override
  public synchronized long durablePosition() {
    return bytes.size();
  }

  @Override
  public synchronized long sync() {
    return bytes.size();
  }

  @Override
  public synchronized int readFrom(long position, ByteBuffer dst) {
    if (position < 0 || position > bytes.size()) {
      throw new IllegalArgumentException(
          "position " + position + " outside [0, " + bytes.size() + "]");
    }
    int n = (int) Math.min(dst.remaining(), bytes.size() - position);
    dst.put(bytes.toByteArray(), (int) position, n);
    return n;
  }

  /** Everything appended so far. */
  synchronized byte[] contents() {
    return bytes.toByteArray();
  }

  @Override
  public LogReader openReader(String tailerName) {
    throw new UnsupportedOperationException("no named readers in the in-memory test store");
  }

  @Override
  public void close() {}
}
