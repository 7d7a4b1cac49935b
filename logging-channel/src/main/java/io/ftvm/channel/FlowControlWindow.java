package io.ftvm.channel;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Bounds how far the primary may run ahead of the backup: the producer must wait while more than
 * {@code maxUnackedBytes} of offered log are unacknowledged or the oldest unacknowledged chunk was
 * offered more than {@code maxLag} ago. Counts the time producers spent waiting.
 */
public final class FlowControlWindow {
  private record Offered(long endPosition, long offeredNanos) {}

  private final MonotonicClock clock;
  private final long maxUnackedBytes;
  private final long maxLagNanos;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition acked = lock.newCondition();
  private final ArrayDeque<Offered> unacked = new ArrayDeque<>();
  private long ackedPosition;
  private long throttledNanos;
  private int waiters;

  public FlowControlWindow(
      MonotonicClock clock, long maxUnackedBytes, Duration maxLag, long initialPosition) {
    this.clock = clock;
    this.maxUnackedBytes = maxUnackedBytes;
    this.maxLagNanos = maxLag.toNanos();
    this.ackedPosition = initialPosition;
  }

  void onOffered(long endPosition) {
    lock.lock();
    try {
      unacked.addLast(new Offered(endPosition, clock.nanoTime()));
    } finally {
      lock.unlock();
    }
  }

  /** Returns true when the ack moved the acknowledged position forward. */
  boolean onAck(long position) {
    lock.lock();
    try {
      if (position <= ackedPosition) {
        return false;
      }
      ackedPosition = position;
      while (!unacked.isEmpty() && unacked.peekFirst().endPosition() <= position) {
        unacked.removeFirst();
      }
      acked.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  public long ackedPosition() {
    lock.lock();
    try {
      return ackedPosition;
    } finally {
      lock.unlock();
    }
  }

  /** Non-blocking: may the producer offer log ending at {@code position} now? */
  public boolean isOpenFor(long position) {
    lock.lock();
    try {
      return openFor(position, clock.nanoTime());
    } finally {
      lock.unlock();
    }
  }

  /** True while a producer is blocked or the window is closed for the current offered end. */
  public boolean isThrottled() {
    lock.lock();
    try {
      long end = unacked.isEmpty() ? ackedPosition : unacked.peekLast().endPosition();
      return waiters > 0 || !openFor(end, clock.nanoTime());
    } finally {
      lock.unlock();
    }
  }

  public long throttledNanos() {
    lock.lock();
    try {
      return throttledNanos;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Blocks until log ending at {@code position} fits the window. Returns false on timeout (the
   * caller decides whether to keep waiting or treat the backup as lost).
   */
  public boolean await(long position, Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      long start = clock.nanoTime();
      if (openFor(position, start)) {
        return true;
      }
      long remaining = timeout.toNanos();
      waiters++;
      try {
        while (!openFor(position, clock.nanoTime())) {
          if (remaining <= 0) {
            return false;
          }
          // Lag closes the window by time alone, so wake periodically rather than only on acks.
          remaining = acked.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(10)));
          remaining = timeout.toNanos() - (clock.nanoTime() - start);
        }
        return true;
      } finally {
        waiters--;
        throttledNanos += clock.nanoTime() - start;
      }
    } finally {
      lock.unlock();
    }
  }

  /** Age of the oldest unacknowledged chunk, 0 when everything is acknowledged. */
  public long lagNanos() {
    lock.lock();
    try {
      return unacked.isEmpty() ? 0 : clock.nanoTime() - unacked.peekFirst().offeredNanos();
    } finally {
      lock.unlock();
    }
  }

  private boolean openFor(long position, long now) {
    if (position - ackedPosition > maxUnackedBytes) {
      return false;
    }
    return unacked.isEmpty() || now - unacked.peekFirst().offeredNanos() <= maxLagNanos;
  }
}
