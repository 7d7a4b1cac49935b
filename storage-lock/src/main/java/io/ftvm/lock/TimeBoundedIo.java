package io.ftvm.lock;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs blocking storage I/O on daemon threads and gives up waiting after a deadline.
 *
 * <p>A hard-mounted NFS share that loses its server blocks system calls indefinitely and
 * uninterruptibly; the caller must still get an answer ("unavailable") in bounded time. The stuck
 * thread cannot be reclaimed, so the number of operations allowed to hang at once is capped: once
 * reached, further calls fail immediately instead of piling up threads.
 */
final class TimeBoundedIo implements AutoCloseable {

  /** One storage operation; may block for as long as the storage does. */
  @FunctionalInterface
  interface StorageCall<T> {
    T call() throws IOException, InterruptedException, StorageUnavailableException;
  }

  private final String storageDescription;
  private final Duration timeout;
  private final int maxHungOperations;
  private static final int RUNNING = 0;
  private static final int FINISHED = 1;
  private static final int ABANDONED = 2;

  /** Operations the caller gave up on that are still blocked in the storage. */
  private final AtomicInteger hung = new AtomicInteger();

  private final ExecutorService executor;

  TimeBoundedIo(String storageDescription, Duration timeout, int maxHungOperations) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "storage operation timeout must be > 0 but was " + timeout);
    }
    this.storageDescription = storageDescription;
    this.timeout = timeout;
    this.maxHungOperations = maxHungOperations;
    this.executor = Executors.newCachedThreadPool(daemonThreads(storageDescription));
  }

  <T> T run(String operation, StorageCall<T> call) throws StorageUnavailableException {
    int hungNow = hung.get();
    if (hungNow >= maxHungOperations) {
      throw new StorageUnavailableException(
          "shared storage "
              + storageDescription
              + " already has "
              + hungNow
              + " operations that did not return; refusing to start '"
              + operation
              + "'");
    }
    AtomicInteger state = new AtomicInteger(RUNNING);
    Future<T> future;
    try {
      future =
          executor.submit(
              () -> {
                try {
                  return call.call();
                } finally {
                  if (!state.compareAndSet(RUNNING, FINISHED)) {
                    hung.decrementAndGet();
                  }
                }
              });
    } catch (RejectedExecutionException e) {
      throw new StorageUnavailableException("arbiter for " + storageDescription + " is closed", e);
    }
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // Interrupting would not free a thread stuck in an NFS system call, but it helps with
      // interruptible blocking (e.g. local FIFOs via NIO channels).
      if (state.compareAndSet(RUNNING, ABANDONED)) {
        hung.incrementAndGet();
      }
      future.cancel(true);
      throw new StorageUnavailableException(
          "shared storage "
              + storageDescription
              + " did not answer within "
              + formatDuration(timeout)
              + " ("
              + operation
              + ")",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new StorageUnavailableException(
          "interrupted while waiting for shared storage " + storageDescription, e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof StorageUnavailableException unavailable) {
        throw unavailable;
      }
      throw new StorageUnavailableException(
          "shared storage "
              + storageDescription
              + " failed during "
              + operation
              + ": "
              + describe(cause),
          cause);
    }
  }

  int hungOperations() {
    return hung.get();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  static String formatDuration(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : " " + message);
  }

  private static ThreadFactory daemonThreads(String storageDescription) {
    AtomicLong counter = new AtomicLong();
    return runnable -> {
      Thread thread =
          new Thread(
              runnable, "ftvm-lock-io-" + counter.incrementAndGet() + " " + storageDescription);
      thread.setDaemon(true);
      return thread;
    };
  }
}
