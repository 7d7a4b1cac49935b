package io.ftvm.supervisor.pair;

import io.ftvm.channel.MonotonicClock;
import io.ftvm.replay.EventKind;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backup's side of the log: stores what arrives, feeds the replaying QEMU whole events only (so
 * that ending the stream always leaves QEMU at an event boundary where it can go live), and
 * acknowledges only what it can replay within its bound.
 *
 * <p>An acknowledgement means "this backup holds the log and, if it had to go live now, would
 * replay up to here within {@link ReplayBounds#maxLag()}": the bytes are in the log store and the
 * log before them that QEMU has not consumed yet is short (see {@link ReplayLagTracker}). What QEMU
 * consumed is what was written into the pipe minus what is still in it (FIONREAD); the remaining
 * error is QEMU's stdio read-ahead of a few KiB, which counts as consumed. A replay that falls
 * behind thus holds the primary's outputs and, through its flow-control window, the primary itself;
 * and a go-live only has to replay up to the last acknowledged position, since the primary never
 * released an output that depends on log beyond it.
 *
 * <p>QEMU is handed the acknowledged log plus the first chunk beyond it (so it always has something
 * to replay), not everything received: bytes in the pipe cannot be taken back, so this keeps the
 * go-live cut at the acknowledged position, give or take that one chunk.
 *
 * <p>A replay watchdog reports a QEMU that stops consuming log it has been given (see {@link
 * ReplayWatchdog}) through the stall callback.
 */
public final class BackupLogFeeder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BackupLogFeeder.class);
  private static final Duration CHECK_INTERVAL = Duration.ofMillis(10);
  private static final Duration PAUSE_REPORT_STEP = Duration.ofMillis(250);
  private static final int ENTRY_BYTES = 4096;

  /** What {@code status} shows of the replay. Positions are byte offsets in the log. */
  public record Progress(
      long received,
      long written,
      long consumed,
      long acknowledged,
      long backlogBytes,
      long lagMillis,
      long backlogReplayMillis,
      boolean stalled,
      long longestPauseMillis) {}

  /** A whole-event chunk not yet written into the pipe. */
  private record Chunk(long start, byte[] bytes) {
    long end() {
      return start + bytes.length;
    }
  }

  private final LogStore store;
  private final CompletableFuture<ReplayPipe> qemuPipe;
  private final ReplayBounds bounds;
  private final LongConsumer ack;
  private final Consumer<String> onStall;
  private final MonotonicClock clock;
  private final StreamingEventParser parser =
      new StreamingEventParser(ParserOptions.strict(), this::onEvent);
  private long[] eventEnds = new long[64];
  private long[] eventInstructions = new long[64];
  private int events;
  private long instructionsSeen;
  private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
  private final RateMeter rate = new RateMeter();
  private final ReplayLagTracker lag = new ReplayLagTracker(ReplayRate.standard());
  private final ReplayWatchdog watchdog;
  private final ScheduledExecutorService monitor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "replay-monitor");
            thread.setDaemon(true);
            return thread;
          });
  private ReplayPipe pipe;
  private boolean pipeClosed;
  private long writtenPosition;
  private long writingEnd = -1;
  private long queuedEnd;
  private long ackedPosition;
  private boolean acksFrozen;
  private boolean logWaiting;
  private long reportedPauseNanos;
  private boolean ended;
  private long cut = Long.MAX_VALUE;
  private byte[] partial = new byte[0];
  private IOException failure;

  /**
   * @param qemuPipe completes once QEMU opened its end of the log pipe
   * @param ack sends an acknowledgement to the primary
   * @param onStall told once, with a description, when the watchdog finds the replay stuck
   */
  public BackupLogFeeder(
      LogStore store,
      CompletableFuture<ReplayPipe> qemuPipe,
      ReplayBounds bounds,
      LongConsumer ack,
      Consumer<String> onStall,
      MonotonicClock clock) {
    this.store = store;
    this.qemuPipe = qemuPipe;
    this.bounds = bounds;
    this.ack = ack;
    this.onStall = onStall;
    this.clock = clock;
    this.watchdog = new ReplayWatchdog(bounds.stall().toNanos());
  }

  /** The production wiring: QEMU's FIFO, the system clock. */
  public static BackupLogFeeder forFifo(
      LogStore store,
      CompletableFuture<FifoWriter> fifo,
      ReplayBounds bounds,
      LongConsumer ack,
      Consumer<String> onStall) {
    return new BackupLogFeeder(
        store, fifo.thenApply(ReplayPipe::of), bounds, ack, onStall, MonotonicClock.system());
  }

  public void start() {
    Thread thread = new Thread(this::feed, "replay-feeder");
    thread.setDaemon(true);
    thread.start();
    long period = CHECK_INTERVAL.toNanos();
    monitor.scheduleAtFixedRate(this::checkQuietly, period, period, TimeUnit.NANOSECONDS);
  }

  /** A chunk from the logging channel, in order and without overlap (the channel guarantees it). */
  public void accept(long startPosition, ByteBuffer data) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
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
      long boundary;
      try {
        store.append(ByteBuffer.wrap(bytes));
        events = 0;
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
        queueWholeEvents(pending, boundary);
        partial = Arrays.copyOfRange(pending, whole, pending.length);
        notifyAll();
      } else {
        partial = pending;
      }
    }
    // A replay that keeps up acknowledges at once, without waiting for the next check.
    checkProgress();
  }

  /** Called by the parser, inside {@link #accept}, for each event completed by the new bytes. */
  private void onEvent(EventKind kind, long offset, int length, long argument) {
    if (kind == EventKind.INSTRUCTION) {
      instructionsSeen += argument;
    }
    if (events == eventEnds.length) {
      eventEnds = Arrays.copyOf(eventEnds, events * 2);
      eventInstructions = Arrays.copyOf(eventInstructions, events * 2);
    }
    eventEnds[events] = offset + length;
    eventInstructions[events] = instructionsSeen;
    events++;
  }

  /**
   * Queues the whole events in {@code pending} (which starts at {@code queuedEnd}) up to {@code
   * boundary}, cut at event boundaries into pieces of about {@link #ENTRY_BYTES}: a primary held by
   * flow control sends seconds of execution in one chunk, and acknowledging it only once QEMU
   * consumed all of it would make the primary stop and go in big steps.
   */
  private void queueWholeEvents(byte[] pending, long boundary) {
    long arrival = clock.nanoTime();
    long base = queuedEnd;
    long start = queuedEnd;
    for (int i = 0; i < events; i++) {
      long end = eventEnds[i];
      if (end > boundary) {
        break;
      }
      if (end - start >= ENTRY_BYTES) {
        queueEntry(pending, base, start, end, eventInstructions[i], arrival);
        start = end;
      }
    }
    if (start < boundary) {
      queueEntry(pending, base, start, boundary, parser.instructions(), arrival);
    }
  }

  private void queueEntry(
      byte[] pending, long base, long start, long end, long instructions, long arrival) {
    queue.addLast(
        new Chunk(start, Arrays.copyOfRange(pending, (int) (start - base), (int) (end - base))));
    queuedEnd = end;
    lag.arrived(end, instructions, arrival);
  }

  private void feed() {
    ReplayPipe opened;
    try {
      opened = qemuPipe.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (ExecutionException e) {
      fail(new IOException("cannot open the replay pipe to QEMU", e.getCause()));
      return;
    }
    synchronized (this) {
      pipe = opened;
      watchdog.arm(clock.nanoTime());
    }
    try {
      while (true) {
        Chunk next;
        synchronized (this) {
          while (!ended && (queue.isEmpty() || queue.peekFirst().start() > ackedPosition)) {
            wait();
          }
          if (failure != null) {
            return; // leave QEMU waiting rather than let it go live on a broken log
          }
          if (queue.isEmpty() || (ended && writtenPosition >= cut)) {
            break;
          }
          next = queue.peekFirst();
          writingEnd = next.end();
        }
        writeAtomically(opened, next.bytes());
        synchronized (this) {
          queue.removeFirst();
          writingEnd = -1;
          notifyAll();
        }
      }
      synchronized (this) {
        pipeClosed = true;
        watchdog.disarm();
        notifyAll();
      }
      opened.close(); // end of stream at an event boundary: QEMU goes live here
      log.info("replay stream ended at byte {} for go-live", writtenPosition());
    } catch (IOException e) {
      fail(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Writes in pieces the kernel puts into the pipe whole or not at all, counting each once it is
   * in: so "written minus unread" never counts bytes QEMU cannot have read yet.
   */
  private void writeAtomically(ReplayPipe out, byte[] bytes) throws IOException {
    int piece = out.atomicWriteBytes();
    for (int offset = 0; offset < bytes.length; offset += piece) {
      int length = Math.min(piece, bytes.length - offset);
      out.write(bytes, offset, length); // blocks while QEMU is busy replaying
      synchronized (this) {
        writtenPosition += length;
      }
    }
  }

  private void checkQuietly() {
    try {
      checkProgress();
    } catch (RuntimeException e) {
      log.warn("replay progress check failed", e);
    }
  }

  /**
   * Measures how far QEMU got, acknowledges what the bound allows and runs the watchdog. Runs every
   * {@link #CHECK_INTERVAL} and after each chunk arrives.
   */
  void checkProgress() {
    String stall = null;
    synchronized (this) {
      long now = clock.nanoTime();
      long consumed = lag.consumedPosition();
      int unread = 0;
      if (pipe != null && !pipeClosed && failure == null) {
        // Read written before unread: a write finishing in between can only make this smaller.
        long written = writtenPosition;
        try {
          unread = pipe.unread();
          consumed = written - unread;
        } catch (IOException e) {
          log.debug("cannot tell what QEMU consumed: {}", e.getMessage());
        }
      } else if (pipeClosed) {
        consumed = writtenPosition; // QEMU reads the rest before it goes live
      }
      boolean busy = logWaiting;
      logWaiting = pipe != null && !pipeClosed && (unread > 0 || !queue.isEmpty());
      lag.consumedUpTo(consumed, now, busy && logWaiting);
      if (watchdog.observe(now, lag.consumedPosition(), logWaiting)) {
        stall = describeStall(now, unread);
      }
      if (watchdog.longestPauseNanos() >= reportedPauseNanos + PAUSE_REPORT_STEP.toNanos()) {
        // What a healthy replay's pauses look like is what replayStallMillis must stay above.
        reportedPauseNanos = watchdog.longestPauseNanos();
        log.info(
            "longest replay pause so far: {} ms with log waiting, at byte {} (stall bound {} ms)",
            reportedPauseNanos / 1_000_000,
            lag.consumedPosition(),
            bounds.stall().toMillis());
      }
      if (!acksFrozen && failure == null) {
        long target = lag.acknowledgeable(bounds.maxLag().toNanos(), bounds.maxBacklogBytes());
        if (target > ackedPosition) {
          ackedPosition = target;
          sendAck(target);
          notifyAll(); // the feeder may hand QEMU the next chunk
        }
      }
    }
    if (stall != null) {
      log.error(stall);
      onStall.accept(stall);
    }
  }

  private String describeStall(long now, int unread) {
    return String.format(
        "replay stalled: QEMU consumed no log for %d ms although %d bytes wait in its pipe and %d"
            + " more are queued (consumed %d, written %d, acknowledged %d, received %d)",
        watchdog.pausedNanos(now) / 1_000_000,
        unread,
        queuedEnd - writtenPosition,
        lag.consumedPosition(),
        writtenPosition,
        ackedPosition,
        store.endPosition());
  }

  /** Runs under the lock, so acknowledgements leave in order. */
  private void sendAck(long position) {
    try {
      ack.accept(position);
    } catch (RuntimeException e) {
      // The channel is gone (go-live closed it, or it failed): the ack has nobody to go to.
      log.debug("acknowledgement of {} not sent: {}", position, e.toString());
    }
  }

  /**
   * Stops taking log and acknowledging it, then ends QEMU's stream at the last acknowledged
   * position (or at the end of the chunk being written, if further) so it goes live there. Log
   * received beyond that is not replayed: the primary never released an output that depends on it,
   * since it was never acknowledged; a trailing partial event is dropped for the same reason. A
   * planned handoff replays everything it needs, because the primary waits for the acknowledgement
   * of its last position before it hands off.
   */
  public void endStream() {
    synchronized (this) {
      if (ended) {
        return;
      }
      acksFrozen = true;
      ended = true;
      cut = Math.max(ackedPosition, Math.max(writingEnd, writtenPosition));
      log.info(
          "go-live cut at byte {}: QEMU consumed {}, {} bytes still to replay; {} whole and {}"
              + " partial bytes received beyond the cut are not replayed",
          cut,
          lag.consumedPosition(),
          cut - lag.consumedPosition(),
          Math.max(0, queuedEnd - cut),
          partial.length);
      watchdog.disarm();
      notifyAll();
    }
  }

  /**
   * Stops acknowledging and waits until QEMU has been handed the log up to the last acknowledged
   * position, the most a go-live needs.
   */
  public synchronized boolean awaitFed(Duration timeout) throws InterruptedException {
    acksFrozen = true;
    long target = ended ? cut : ackedPosition;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (writtenPosition < target && failure == null && !pipeClosed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return failure == null;
  }

  public synchronized Progress progress() {
    long now = clock.nanoTime();
    return new Progress(
        store.endPosition(),
        writtenPosition,
        lag.consumedPosition(),
        ackedPosition,
        Math.max(0, queuedEnd - lag.consumedPosition()),
        lag.lagNanos(now) / 1_000_000,
        lag.backlogReplayNanos() / 1_000_000,
        watchdog.stalled(),
        watchdog.longestPauseNanos() / 1_000_000);
  }

  public synchronized long receivedPosition() {
    return store.endPosition();
  }

  /** Bytes written into QEMU's pipe (not all of them read by QEMU yet). */
  public synchronized long fedPosition() {
    return writtenPosition;
  }

  private synchronized long writtenPosition() {
    return writtenPosition;
  }

  /** How far QEMU has read the log (up to its stdio buffer's read-ahead of a few KiB). */
  public synchronized long consumedPosition() {
    return lag.consumedPosition();
  }

  public synchronized long acknowledgedPosition() {
    return ackedPosition;
  }

  public synchronized long backlogBytes() {
    return Math.max(0, queuedEnd - lag.consumedPosition());
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
    watchdog.disarm();
    notifyAll();
  }

  private static byte[] join(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** Stops feeding at once (the node halts; its QEMU is being killed). */
  @Override
  public void close() {
    synchronized (this) {
      acksFrozen = true;
      if (!ended) {
        ended = true;
        cut = Math.max(writingEnd, writtenPosition);
      }
      watchdog.disarm();
      notifyAll();
    }
    monitor.shutdownNow();
  }
}
