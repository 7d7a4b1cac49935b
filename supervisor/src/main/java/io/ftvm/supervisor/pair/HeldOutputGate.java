package io.ftvm.supervisor.pair;

import io.ftvm.fencing.OutputGate;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Output Rule for one output stream (network frames or console bytes): each output carries the
 * log position that precedes it and leaves only once the backup acknowledged that position.
 *
 * <p>Three modes: <b>held</b> (protected primary), <b>open</b> (alone: nothing to wait for) and
 * <b>closed</b> (fenced: nothing leaves ever again). Closing is final and wins over everything,
 * including a release that is already running: the sink is only ever called with the lock held and
 * after checking {@code closed}.
 */
public final class HeldOutputGate implements OutputGate {
  private static final Logger log = LoggerFactory.getLogger(HeldOutputGate.class);

  /** Where released outputs go (a TAP device, a console log). */
  @FunctionalInterface
  public interface Sink {
    void emit(byte[] output) throws IOException;
  }

  private record Held(long logPosition, byte[] output, long heldSinceNanos) {}

  private final String name;
  private final Sink sink;
  private final ArrayDeque<Held> held = new ArrayDeque<>();
  private final LatencyRecorder holdLatency;
  private final AtomicLong released = new AtomicLong();
  private long ackedPosition = -1;
  private long lastSubmittedPosition = -1;
  private boolean open;
  private boolean closed;
  private long heldBytes;

  public HeldOutputGate(String name, Sink sink, LatencyRecorder holdLatency) {
    this.name = name;
    this.sink = sink;
    this.holdLatency = holdLatency;
  }

  /**
   * Submits an output produced when the primary's log had reached {@code logPosition}. Outputs
   * leave in submission order: a later output never overtakes a held earlier one, and its position
   * is raised to the earlier one's (an output depends on everything logged before it).
   */
  public synchronized void submit(long logPosition, byte[] output) {
    if (closed) {
      return;
    }
    long position = Math.max(logPosition, lastSubmittedPosition);
    lastSubmittedPosition = position;
    if (open || (held.isEmpty() && position <= ackedPosition)) {
      emit(output, System.nanoTime());
      return;
    }
    held.addLast(new Held(position, output, System.nanoTime()));
    heldBytes += output.length;
  }

  /** The backup acknowledged the log up to {@code position}: release what it covers, in order. */
  public synchronized void acknowledge(long position) {
    if (position <= ackedPosition) {
      return;
    }
    ackedPosition = position;
    while (!held.isEmpty() && held.peekFirst().logPosition() <= position && !closed) {
      Held next = held.removeFirst();
      heldBytes -= next.output().length;
      emit(next.output(), next.heldSinceNanos());
    }
  }

  /** No backup to wait for any more (this node won go-live alone): release everything. */
  public synchronized void openUnprotected() {
    if (closed) {
      return;
    }
    open = true;
    while (!held.isEmpty()) {
      Held next = held.removeFirst();
      emit(next.output(), next.heldSinceNanos());
    }
    heldBytes = 0;
  }

  /**
   * Re-protection: from now on outputs are tagged with positions of a new log stream (starting at
   * byte 0) and wait for a new backup's ack of it. Until the VM records into that stream its
   * outputs are tagged 0, which counts as acknowledged, so they keep flowing as when alone; once it
   * records there, they are held until the new backup acknowledges them. The caller switches the
   * tagging to the new stream before calling this.
   */
  public synchronized void holdForNewStream() {
    if (closed) {
      return;
    }
    open = false;
    ackedPosition = 0;
    lastSubmittedPosition = -1;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      log.info("{} output gate closed; {} held outputs dropped", name, held.size());
      held.clear();
      heldBytes = 0;
    }
  }

  @Override
  public synchronized boolean isClosed() {
    return closed;
  }

  public synchronized int heldCount() {
    return held.size();
  }

  public synchronized long heldBytes() {
    return heldBytes;
  }

  public long releasedCount() {
    return released.get();
  }

  private void emit(byte[] output, long heldSinceNanos) {
    try {
      sink.emit(output);
      released.incrementAndGet();
      holdLatency.record(System.nanoTime() - heldSinceNanos);
    } catch (IOException e) {
      // A lost frame is what a network does anyway; TCP in the guest and client recovers.
      log.warn("{} output could not be delivered: {}", name, e.getMessage());
    }
  }
}
