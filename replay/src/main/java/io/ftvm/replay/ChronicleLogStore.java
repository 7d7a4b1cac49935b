package io.ftvm.replay;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.ParseException;
import java.util.LinkedHashSet;
import java.util.Set;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LogStore} on a Chronicle Queue directory. Each excerpt is one appended chunk, stored raw
 * as {@code i64 start position} followed by the chunk bytes, so positions survive reopening and any
 * byte can be located by a binary search over excerpts.
 *
 * <p>Durability: Chronicle writes through memory-mapped files. When {@link #append} returns, the
 * bytes are in the kernel page cache: they survive a kill -9 of this JVM but not a host crash or
 * power loss. {@link #sync()} fsyncs every cycle file written since the previous sync (on Linux an
 * fsync also writes back the pages dirtied through the mapping) plus the queue directory when a new
 * cycle file appeared, and only then advances {@link #durablePosition()}. On open the store syncs
 * once, so everything found on disk counts as durable.
 *
 * <p>Roll cycle: {@link RollCycles#FAST_HOURLY} (one file per hour; ~4 billion excerpts per cycle
 * are far more than 64 KiB chunks at the highest log rates can produce).
 */
public final class ChronicleLogStore implements LogStore {
  private static final Logger log = LoggerFactory.getLogger(ChronicleLogStore.class);
  static final RollCycle ROLL_CYCLE = RollCycles.FAST_HOURLY;
  private static final int POSITION_BYTES = Long.BYTES;

  private final Path directory;
  private final SingleChronicleQueue queue;
  private final ExcerptAppender appender;
  private final ExcerptTailer locator;
  private final Set<File> filesToSync = new LinkedHashSet<>();
  private final Object writeLock = new Object();
  private final byte[] copyBuffer = new byte[64 * 1024];
  private volatile long endPosition;
  private volatile long durablePosition;
  private boolean directoryDirty;

  private ChronicleLogStore(Path directory, SingleChronicleQueue queue) {
    this.directory = directory;
    this.queue = queue;
    this.appender = queue.createAppender();
    this.appender.singleThreadedCheckDisabled(true);
    this.locator = queue.createTailer();
    this.locator.singleThreadedCheckDisabled(true);
  }

  /** Opens (or creates) the store in {@code directory} and continues at its end position. */
  public static ChronicleLogStore open(Path directory) throws IOException {
    Files.createDirectories(directory);
    SingleChronicleQueue queue =
        SingleChronicleQueueBuilder.binary(directory).rollCycle(ROLL_CYCLE).build();
    ChronicleLogStore store = new ChronicleLogStore(directory, queue);
    try {
      store.endPosition = store.readEndPosition();
      store.directoryDirty = true;
      File current = store.appender.currentFile();
      if (current != null && current.exists()) {
        store.filesToSync.add(current);
      }
      store.sync();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    log.info("opened log store {} at position {}", directory, store.endPosition);
    return store;
  }

  private long readEndPosition() {
    ExcerptTailer last = queue.createTailer().direction(TailerDirection.BACKWARD).toEnd();
    try (DocumentContext dc = last.readingDocument()) {
      if (!dc.isPresent()) {
        return 0;
      }
      Bytes<?> bytes = dc.wire().bytes();
      long start = bytes.readLong();
      return start + bytes.readRemaining();
    } finally {
      last.close();
    }
  }

  @Override
  public long append(ByteBuffer chunk) throws IOException {
    synchronized (writeLock) {
      int length = chunk.remaining();
      if (length == 0) {
        return endPosition;
      }
      long start = endPosition;
      try (DocumentContext dc = appender.writingDocument()) {
        Bytes<?> bytes = dc.wire().bytes();
        bytes.writeLong(start);
        copyInto(chunk, bytes);
      }
      File file = appender.currentFile();
      if (file != null && filesToSync.add(file) && filesToSync.size() > 1) {
        directoryDirty = true;
      }
      endPosition = start + length;
      return endPosition;
    }
  }

  private void copyInto(ByteBuffer chunk, Bytes<?> bytes) {
    if (chunk.hasArray()) {
      bytes.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
      chunk.position(chunk.limit());
      return;
    }
    while (chunk.hasRemaining()) {
      int n = Math.min(chunk.remaining(), copyBuffer.length);
      chunk.get(copyBuffer, 0, n);
      bytes.write(copyBuffer, 0, n);
    }
  }

  @Override
  public long endPosition() {
    return endPosition;
  }

  @Override
  public long durablePosition() {
    return durablePosition;
  }

  @Override
  public long sync() throws IOException {
    synchronized (writeLock) {
      long target = endPosition;
      for (File file : filesToSync) {
        try (FileChannel channel = FileChannel.open(file.toPath(), StandardOpenOption.WRITE)) {
          channel.force(true);
        }
      }
      File current = appender.currentFile();
      filesToSync.clear();
      if (current != null && current.exists()) {
        filesToSync.add(current);
      }
      if (directoryDirty) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
          dir.force(true);
        }
        directoryDirty = false;
      }
      durablePosition = target;
      return target;
    }
  }

  @Override
  public int readFrom(long position, ByteBuffer dst) throws IOException {
    checkPosition(position);
    synchronized (locator) {
      int copied = 0;
      long next = position;
      while (dst.hasRemaining() && next < endPosition) {
        if (!moveToChunkContaining(locator, next)) {
          break;
        }
        try (DocumentContext dc = locator.readingDocument()) {
          if (!dc.isPresent()) {
            break;
          }
          Bytes<?> bytes = dc.wire().bytes();
          long start = bytes.readLong();
          bytes.readSkip(next - start);
          int n = copyOut(bytes, dst);
          copied += n;
          next += n;
        }
      }
      return copied;
    }
  }

  void checkPosition(long position) {
    if (position < 0 || position > endPosition) {
      throw new IllegalArgumentException(
          "position " + position + " outside the log store [0, " + endPosition + "]");
    }
  }

  /** Copies as much of the excerpt as fits into {@code dst}. */
  int copyOut(Bytes<?> bytes, ByteBuffer dst) {
    int n = (int) Math.min(dst.remaining(), bytes.readRemaining());
    if (dst.hasArray()) {
      bytes.read(dst.array(), dst.arrayOffset() + dst.position(), n);
      dst.position(dst.position() + n);
      return n;
    }
    int left = n;
    byte[] scratch = new byte[Math.min(n, 64 * 1024)];
    while (left > 0) {
      int k = Math.min(left, scratch.length);
      bytes.read(scratch, 0, k);
      dst.put(scratch, 0, k);
      left -= k;
    }
    return n;
  }

  /**
   * Positions {@code tailer} on the excerpt holding {@code position} (which must be below the end
   * position): walks cycles back from the newest (resends are nearly always recent), then binary
   * searches sequence numbers inside the cycle.
   */
  boolean moveToChunkContaining(ExcerptTailer tailer, long position) throws IOException {
    int cycle = queue.lastCycle();
    int first = queue.firstCycle();
    while (cycle >= first) {
      long count = tailer.excerptsInCycle(cycle);
      if (count > 0) {
        long firstStart = chunkStart(tailer, ROLL_CYCLE.toIndex(cycle, 0));
        if (firstStart >= 0 && firstStart <= position) {
          long lo = 0;
          long hi = count - 1;
          while (lo < hi) {
            long mid = (lo + hi + 1) >>> 1;
            long start = chunkStart(tailer, ROLL_CYCLE.toIndex(cycle, mid));
            if (start >= 0 && start <= position) {
              lo = mid;
            } else {
              hi = mid - 1;
            }
          }
          return tailer.moveToIndex(ROLL_CYCLE.toIndex(cycle, lo));
        }
      }
      cycle = previousCycle(cycle);
    }
    return false;
  }

  private int previousCycle(int cycle) throws IOException {
    try {
      int previous = queue.nextCycle(cycle, TailerDirection.BACKWARD);
      return previous < cycle ? previous : Integer.MIN_VALUE;
    } catch (ParseException e) {
      throw new IOException("cannot list cycles of log store " + directory, e);
    }
  }

  /** Start position stored in the excerpt at {@code index}, or -1 if there is none. */
  private long chunkStart(ExcerptTailer tailer, long index) {
    if (!tailer.moveToIndex(index)) {
      return -1;
    }
    try (DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent()) {
        return -1;
      }
      dc.rollbackOnClose();
      return dc.wire().bytes().readLong();
    }
  }

  @Override
  public LogReader openReader(String tailerName) throws IOException {
    if (tailerName == null || !tailerName.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException(
          "tailer name must be non-empty [A-Za-z0-9_.-]: " + tailerName);
    }
    return new ChronicleLogReader(this, queue.createTailer(tailerName));
  }

  @Override
  public void close() {
    synchronized (writeLock) {
      locator.close();
      appender.close();
      queue.close();
    }
  }

  @Override
  public String toString() {
    return "ChronicleLogStore[" + directory + ", end=" + endPosition + "]";
  }
}
