package io.ftvm.supervisor.pair;

import io.ftvm.replay.LogStore;
import io.ftvm.replay.ParserOptions;
import io.ftvm.replay.ReplayLogException;
import io.ftvm.replay.StreamingEventParser;
import io.ftvm.supervisor.nativeos.FifoWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's side of the log: stores what arrives, acknowledges it, and feeds the replaying QEMU
 * whole events only, so that ending the stream always leaves QEMU at an event boundary where it can
 * go live.
 *
 * <p>An acknowledgement means "this backup holds the log and can replay it": it is sent once the
 * bytes are in the log store (in memory-mapped files: they survive this process, not this host; if
 * this host dies too there is nobody to go live anyway). Acks run at most {@code maxReplayBacklog}
 * bytes ahead of what QEMU consumed, so a replay that falls behind holds the primary's outputs and,
 * through its flow-control window, the primary itself, instead of silently growing the time a
 * failover takes.
 */
public final class BackupLogFeeder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackupLogFeeder.class);

  private final LogStore store;
  private final CompletableFuture<FifoWriter> qemuPipe;
  private final long maxReplayBacklog;
  private final LongConsumer ack;
  private final StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private final RateMeter rate = new RateMeter();
  private long fedPosition;
  private long queuedEnd;
  private long ackedPosition;
  private boolean ended;
  private byte[] partial = new byte[0];
  private IOException failure;

  public BackupLogFeeder(
      LogStore store,
      CompletableFuture<FifoWriter> qemuPipe,
      long maxReplayBacklog,
      LongConsumer ack) {
    this.store = store;
    this.qemuPipe = qemuPipe;
    this.maxReplayBacklog = maxReplayBacklog;
    this.ack = ack;
  }

  public void start() {
    Thread thread = new Thread(this::feed, "replay-feeder");
    thread.setDaemon(true);
    thread.start();
  }

  /** A chunk from the logging channel, in order and without overlap (the channel guarantees it). */
  public void accept(long startPosition, ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    long boundary;
    synchronized (this) {
      if (ended) {
        return;
      }
      if (startPosition != store.endPosition()) {
        fail(
            new IOException(
                "log chunk starts at "
                    + startPosition
                    + " but the store ends at "
                    + store.endPosition()));
        return;
      }
      try {
        store.append(ByteBuffer.wrap(bytes));
        boundary = parser.feed(bytes);
      } catch (ReplayLogException e) {
        fail(new IOException("primary sent an invalid log: " + e.getMessage(), e));
        return;
      } catch (IOException e) {
        fail(e);
        return;
      }
      rate.add(bytes.length);
      byte[] pending = join(partial, bytes);
      int whole = (int) (boundary - queuedEnd);
      if (whole > 0) {
        queue.addLast(Arrays.copyOf(pending, whole));
        queuedEnd = boundary;
        partial = Arrays.copyOfRange(pending, whole, pending.length);
        notifyAll();
      } else {
        partial = pending;
      }
    }
    acknowledge();
  }

  private void feed() {
    FifoWriter pipe;
    try {
      pipe = qemuPipe.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException e) {
      fail(new IOException("cannot open the replay pipe to QEMU", e.getCause()));
      return;
    }
    try {
      while (true) {
        byte[] next;
        synchronized (this) {
          while (queue.isEmpty() && !ended) {
            wait();
          }
          if (queue.isEmpty()) {
            break;
          }
          next = queue.peekFirst();
        }
        pipe.write(next, 0, next.length); // blocks while QEMU is busy replaying
        synchronized (this) {
          queue.removeFirst();
          fedPosition += next.length;
          notifyAll();
        }
        acknowledge();
      }
      pipe.close(); // end of stream at an event boundary: QEMU goes live here
      log.info("replay stream ended at byte {} for go-live", fedPosition);
    } catch (IOException e) {
      fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acknowledge() {
    long position;
    synchronized (this) {
      position = Math.min(store.endPosition(), fedPosition + maxReplayBacklog);
      if (position <= ackedPosition) {
        return;
      }
      ackedPosition = position;
    }
    ack.accept(position);
  }

  /**
   * Stops taking log, feeds everything whole that arrived, then ends QEMU's stream so it goes live.
   * A trailing partial event (the primary died while sending it) is dropped: the primary never
   * released an output that depends on it, since it was never acknowledged as whole.
   */
  public void endStream() {
    synchronized (this) {
      ended = true;
      if (partial.length > 0) {
        log.info(
            "cutting {} bytes of an unfinished event at the end of the stream", partial.length);
      }
      notifyAll();
    }
  }

  /** Waits until QEMU has been handed every whole event received so far. */
  public synchronized boolean awaitFed(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (fedPosition < queuedEnd && failure == null) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return failure == null;
  }

  public synchronized long receivedPosition() {
    return store.endPosition();
  }

  public synchronized long fedPosition() {
    return fedPosition;
  }

  public synchronized long backlogBytes() {
    return queuedEnd - fedPosition;
  }

  public double bytesPerSecond() {
    return rate.perSecond();
  }

  public synchronized IOException failure() {
    return failure;
  }

  private synchronized void fail(IOException e) {
    if (failure == null) {
      failure = e;
      log.error("backup log feed failed: {}", e.getMessage());
    }
    ended = true;
    notifyAll();
  }

  private static byte[] join(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Waits for the pipe to QEMU to open (QEMU opens it while starting). */
  public static FifoWriter awaitPipe(CompletableFuture<FifoWriter> pipe, Duration timeout)
      throws IOException {
    try {
      return pipe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException("replay pipe to QEMU did not open", e);
    }
  }

  @Override
  public void close() {
    endStream();
  }
}
