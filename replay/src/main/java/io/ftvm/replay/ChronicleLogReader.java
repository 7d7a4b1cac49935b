package io.ftvm.replay;

import java.io.IOException;
import java.nio.ByteBuffer;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

/**
 * Named Chronicle tailer over a {@link ChronicleLogStore}. A chunk that does not fit into the
 * caller's buffer is read with rollback, so the persisted tailer index only moves past a chunk once
 * all of it was delivered; {@link #offsetInChunk} remembers the part already handed out.
 */
final class ChronicleLogReader implements LogReader {
  private final ChronicleLogStore store;
  private final ExcerptTailer tailer;
  private long offsetInChunk;
  private long position;

  ChronicleLogReader(ChronicleLogStore store, ExcerptTailer tailer) {
    this.store = store;
    this.tailer = tailer;
    this.tailer.singleThreadedCheckDisabled(true);
    this.position = peekChunkStart();
  }

  /** Start of the chunk the tailer stands on, or the store's end if it is at the end. */
  private long peekChunkStart() {
    try (DocumentContext dc = tailer.readingDocument()) {
      if (!dc.isPresent()) {
        return store.endPosition();
      }
      dc.rollbackOnClose();
      return dc.wire().bytes().readLong();
    }
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public int read(ByteBuffer dst) {
    int copied = 0;
    while (dst.hasRemaining()) {
      try (DocumentContext dc = tailer.readingDocument()) {
        if (!dc.isPresent()) {
          break;
        }
        Bytes<?> bytes = dc.wire().bytes();
        long start = bytes.readLong();
        bytes.readSkip(offsetInChunk);
        int n = store.copyOut(bytes, dst);
        copied += n;
        position = start + offsetInChunk + n;
        if (bytes.readRemaining() > 0) {
          offsetInChunk += n;
          dc.rollbackOnClose();
        } else {
          offsetInChunk = 0;
        }
      }
    }
    return copied;
  }

  @Override
  public void seek(long target) throws IOException {
    store.checkPosition(target);
    if (target == store.endPosition()) {
      tailer.toEnd();
      offsetInChunk = 0;
      position = target;
      return;
    }
    if (!store.moveToChunkContaining(tailer, target)) {
      throw new IOException("no chunk holds position " + target + " in " + store);
    }
    offsetInChunk = target - peekChunkStart();
    position = target;
  }

  @Override
  public void close() {
    tailer.close();
  }
}
