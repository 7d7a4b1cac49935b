package io.ftvm.channel;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One dedicated, priority-raised thread per endpoint that times heartbeats and failure checks, so
 * neither waits behind log traffic or a busy host. Every tick (half the heartbeat interval) it
 * checks the peer and posts one task to the event loop that marks the receive watermark and, every
 * other tick, sends the heartbeats; it also raises the event loop's own priority once, because
 * every frame (heartbeats included) is still read and written there.
 */
final class FailureDetectorThread implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FailureDetectorThread.class);

  private final String name;
  private final ChannelSettings settings;
  private final EventExecutor eventLoop;
  private final Liveness liveness;
  private final long tickNanos;
  private final AtomicBoolean probePending = new AtomicBoolean();
  private volatile boolean closed;
  private Thread thread;
  private long probes;

  FailureDetectorThread(
      String name, ChannelSettings settings, EventExecutor eventLoop, Liveness liveness) {
    this.name = name;
    this.settings = settings;
    this.eventLoop = eventLoop;
    this.liveness = liveness;
    this.tickNanos = Math.max(1_000_000, settings.heartbeatInterval().toNanos() / 2);
  }

  synchronized void start() {
    if (thread != null || closed) {
      return;
    }
    eventLoop.execute(
        () -> {
          String applied =
              settings.threadPriority().raiseCurrentThread(ThreadPriority.Duty.CHANNEL_IO);
          log.info("Logging-channel event loop {}: {}", Thread.currentThread().getName(), applied);
        });
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    String applied =
        settings.threadPriority().raiseCurrentThread(ThreadPriority.Duty.FAILURE_DETECTOR);
    log.info("Failure detector {}: {}", name, applied);
    long next = System.nanoTime() + tickNanos;
    while (!closed) {
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(this, wait);
        continue;
      }
      long late = -wait;
      liveness.stats().onLocalDelay("failure detector tick", late);
      // Fell behind (stall): resynchronise instead of firing a burst of catch-up ticks.
      next = late > tickNanos ? System.nanoTime() + tickNanos : next + tickNanos;
      tick();
    }
  }

  private void tick() {
    if (probePending.compareAndSet(false, true)) {
      long posted = settings.clock().nanoTime();
      boolean beat = (probes++ & 1) == 0;
      try {
        eventLoop.execute(() -> probe(posted, beat));
      } catch (RejectedExecutionException e) {
        closed = true; // the endpoint is shutting down
        return;
      }
    }
    liveness.monitor().check();
  }

  private void probe(long posted, boolean beat) {
    probePending.set(false);
    liveness.stats().onLocalDelay("event-loop probe", settings.clock().nanoTime() - posted);
    liveness.monitor().onReceivePathCurrent(posted);
    if (beat) {
      liveness.heartbeats().beat();
    }
  }

  @Override
  public void close() {
    Thread running;
    synchronized (this) {
      closed = true;
      running = thread;
    }
    if (running != null) {
      LockSupport.unpark(running);
      try {
        running.join(TimeUnit.SECONDS.toMillis(2));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
