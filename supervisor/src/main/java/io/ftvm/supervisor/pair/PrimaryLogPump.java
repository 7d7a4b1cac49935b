package io.ftvm.supervisor.pair;

import io.ftvm.replay.LogStore;
import io.ftvm.replay.ParserOptions;
import io.ftvm.replay.ReplayLogException;
import io.ftvm.replay.StreamingEventParser;
import io.ftvm.supervisor.nativeos.FifoReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the recording QEMU's log pipe, cuts it into whole events, stores them durably and ships
 * them to the backup. Blocking in {@link LogShipper#ship} (flow control) leaves the pipe full,
 * which blocks QEMU: that is how a lagging backup throttles the primary.
 */
public final class PrimaryLogPump implements OutputTagger, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PrimaryLogPump.class);
  private static final Duration READ_WAIT = Duration.ofMillis(100);

  private final FifoReader pipe;
  private final LogStore store;
  private final StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
  private final AtomicLong bytesRead = new AtomicLong();
  private final Object readLock = new Object();
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private final RateMeter rate = new RateMeter();
  private volatile LogShipper shipper;
  private volatile boolean closed;
  private byte[] tail = new byte[0];

  public PrimaryLogPump(FifoReader pipe, LogStore store, LogShipper shipper) {
    this.pipe = pipe;
    this.store = store;
    this.shipper = shipper;
  }

  public void start() {
    Thread thread = new Thread(this::run, "log-pump");
    thread.setDaemon(true);
    thread.start();
  }

  public void shipTo(LogShipper next) {
    shipper = next;
  }

  /** Completes when QEMU closed the pipe (it exited) or the pump failed. */
  public CompletableFuture<Void> finished() {
    return finished;
  }

  /**
   * Exact: reads from the pipe and the {@code bytesRead} count change together under {@code
   * readLock}, so "read so far + still in the pipe" never misses bytes a read has just taken.
   */
  @Override
  public long positionCoveringOutputNow() {
    synchronized (readLock) {
      try {
        return bytesRead.get() + pipe.available();
      } catch (IOException e) {
        return Long.MAX_VALUE; // cannot tell: hold the output until the gate opens or closes
      }
    }
  }

  public long bytesRead() {
    return bytesRead.get();
  }

  public long storedPosition() {
    return store.endPosition();
  }

  /** Bytes per second over the last few seconds. */
  public double bytesPerSecond() {
    return rate.perSecond();
  }

  /** True once everything QEMU wrote so far is read and stored as whole events. */
  public boolean drained() throws IOException {
    return pipe.available() == 0 && parser.atBoundary() && store.endPosition() == bytesRead.get();
  }

  private void run() {
    byte[] buffer = new byte[64 * 1024];
    try {
      while (!closed) {
        if (!pipe.awaitReadable(READ_WAIT)) {
          continue;
        }
        int n;
        synchronized (readLock) {
          n = pipe.read(buffer, 0, buffer.length, Duration.ZERO);
          if (n > 0) {
            bytesRead.addAndGet(n);
          }
        }
        if (n < 0) {
          break;
        }
        if (n > 0) {
          accept(buffer, n);
        }
      }
      finished.complete(null);
    } catch (ReplayLogException e) {
      log.error("the recording QEMU wrote an invalid log: {}", e.getMessage());
      finished.completeExceptionally(e);
    } catch (IOException e) {
      if (!closed) {
        log.error("log pipe failed: {}", e.getMessage());
      }
      finished.completeExceptionally(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished.completeExceptionally(e);
    } finally {
      if (tail.length > 0) {
        log.info("dropping {} bytes of an event QEMU did not finish writing", tail.length);
      }
    }
  }

  private void accept(byte[] buffer, int n) throws IOException, InterruptedException {
    long boundary = parser.feed(buffer, 0, n);
    rate.add(n);
    byte[] pending = concat(tail, buffer, n);
    long start = store.endPosition();
    int whole = (int) (boundary - start);
    if (whole <= 0) {
      tail = pending;
      return;
    }
    ByteBuffer chunk = ByteBuffer.wrap(pending, 0, whole);
    store.append(chunk.duplicate());
    tail = Arrays.copyOfRange(pending, whole, pending.length);
    shipper.ship(start, chunk);
  }

  private static byte[] concat(byte[] head, byte[] buffer, int n) {
    byte[] joined = Arrays.copyOf(head, head.length + n);
    System.arraycopy(buffer, 0, joined, head.length, n);
    return joined;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    pipe.close();
  }
}
