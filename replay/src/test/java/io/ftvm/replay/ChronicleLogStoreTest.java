package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChronicleLogStoreTest {
  @TempDir Path dir;

  /** Appends random chunks of 1..maxChunk bytes, returns all bytes appended. */
  private static byte[] appendRandom(LogStore store, int chunks, int maxChunk, long seed)
      throws Exception {
    Random random = new Random(seed);
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    for (int i = 0; i < chunks; i++) {
      byte[] chunk = new byte[1 + random.nextInt(maxChunk)];
      random.nextBytes(chunk);
      long before = store.endPosition();
      long end = store.append(ByteBuffer.wrap(chunk));
      assertThat(end).isEqualTo(before + chunk.length);
      all.write(chunk);
    }
    return all.toByteArray();
  }

  private static byte[] readAll(LogReader reader, int bufferSize) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer buffer = ByteBuffer.allocate(bufferSize);
    int n;
    while ((n = reader.read(buffer)) > 0) {
      out.write(buffer.array(), 0, n);
      buffer.clear();
    }
    return out.toByteArray();
  }

  @Test
  void appendsAndReopensAtTheRightPosition() throws Exception {
    byte[] first;
    try (ChronicleLogStore store = ChronicleLogStore.open(dir)) {
      assertThat(store.endPosition()).isZero();
      first = appendRandom(store, 200, 3000, 1);
      assertThat(store.endPosition()).isEqualTo(first.length);
      assertThat(store.sync()).isEqualTo(first.length);
      assertThat(store.durablePosition()).isEqualTo(first.length);
    }
    try (ChronicleLogStore store = ChronicleLogStore.open(dir)) {
      assertThat(store.endPosition()).isEqualTo(first.length);
      assertThat(store.durablePosition()).isEqualTo(first.length);
      byte[] second = appendRandom(store, 50, 70000, 2);
      assertThat(store.endPosition()).isEqualTo(first.length + second.length);
      try (LogReader reader = store.openReader("check")) {
        byte[] all = readAll(reader, 4096);
        assertThat(all.length).isEqualTo(first.length + second.length);
        assertThat(java.util.Arrays.copyOf(all, first.length)).isEqualTo(first);
      }
    }
  }

  @Test
  void durablePositionLagsUntilSync() throws Exception {
    try (ChronicleLogStore store = ChronicleLogStore.open(dir)) {
      store.append(ByteBuffer.wrap(new byte[100]));
      assertThat(store.durablePosition()).isZero();
      assertThat(store.sync()).isEqualTo(100);
      assertThat(store.durablePosition()).isEqualTo(100);
    }
  }

  @Test
  void readFromArbitraryPositions() throws Exception {
    try (ChronicleLogStore store = ChronicleLogStore.open(dir)) {
      byte[] all = appendRandom(store, 300, 500, 3);
      Random random = new Random(4);
      for (int i = 0; i < 200; i++) {
        int position = random.nextInt(all.length + 1);
        ByteBuffer dst = ByteBuffer.allocate(1 + random.nextInt(2000));
        int n = store.readFrom(position, dst);
        int expected = Math.min(dst.capacity(), all.length - position);
        assertThat(n).isEqualTo(expected);
        byte[] got = java.util.Arrays.copyOf(dst.array(), n);
        assertThat(got).isEqualTo(java.util.Arrays.copyOfRange(all, position, position + n));
      }
      assertThatThrownBy(() -> store.readFrom(all.length + 1, ByteBuffer.allocate(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("outside the log store");
    }
  }

  @Test
  void namedTailerResumesAfterReopenWithoutLosingPartialChunks() throws Exception {
    byte[] all;
    int consumed;
    try (ChronicleLogStore store = ChronicleLogStore.open(dir)) {
      all = appendRandom(store, 100, 1000, 5);
      try (LogReader reader = store.openReader("backup-feed")) {
        ByteBuffer buffer = ByteBuffer.allocate(777);
        consumed = 0;
        for (int i = 0; i < 20; i++) {
          consumed += reader.read(buffer);
          buffer.clear();
        }
        assertThat(reader.position()).isEqualTo(consumed);
      }
    }
    try (ChronicleLogStore store = ChronicleLogStore.open(dir);
        LogReader reader = store.openReader("backup-feed");
        LogReader other = store.openReader("other")) {
      long resumed = reader.position();
      // resumes at the start of the chunk that was not fully delivered: nothing is skipped
      assertThat(resumed).isLessThanOrEqualTo(consumed).isGreaterThan(consumed - 1000);
      byte[] rest = readAll(reader, 333);
      assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(all, (int) resumed, all.length));
      assertThat(other.position()).isZero();
    }
  }

  @Test
  void readerSeeksAndSeesNewAppends() throws Exception {
    try (ChronicleLogStore store = ChronicleLogStore.open(dir);
        LogReader reader = store.openReader("seeker")) {
      byte[] all = appendRandom(store, 50, 400, 6);
      reader.seek(1234);
      byte[] tail = readAll(reader, 100);
      assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(all, 1234, all.length));
      assertThat(reader.read(ByteBuffer.allocate(10))).isZero();
      store.append(ByteBuffer.wrap(new byte[] {1, 2, 3}));
      ByteBuffer dst = ByteBuffer.allocate(10);
      assertThat(reader.read(dst)).isEqualTo(3);
      assertThat(reader.position()).isEqualTo(all.length + 3);
      reader.seek(store.endPosition());
      assertThat(reader.read(ByteBuffer.allocate(10))).isZero();
    }
  }

  @Test
  void rejectsBadTailerNames() throws Exception {
    try (ChronicleLogStore store = ChronicleLogStore.open(dir)) {
      assertThatThrownBy(() -> store.openReader("a/b"))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
