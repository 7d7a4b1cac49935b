package io.ftvm.supervisor.pair;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between the logging channel and the {@link BackupLogFeeder}: passes log in and acks out while the
 * node takes log, and cuts both before the channel is disconnected at go-live. The feeder keeps
 * handing QEMU what arrived and keeps "acking" (now into nothing), so a closed channel can never
 * stop it: issue 7's backup stuck in GOING_LIVE had its feeder thread killed by an ack into the
 * receiver it had just closed.
 */
final class BackupLogIntake implements ReplayDrain {
  private static final Logger log = LoggerFactory.getLogger(BackupLogIntake.class);
  private static final long RECEIVE_POLL_MILLIS = 2;

  private final LongConsumer channelAck;
  private final Runnable disconnect;
  private volatile BackupLogFeeder feeder;
  private volatile boolean taking = true;

  /**
   * @param channelAck sends an ack to the primary (the receiver's {@code ack})
   * @param disconnect closes the logging channel
   */
  BackupLogIntake(LongConsumer channelAck, Runnable disconnect) {
    this.channelAck = channelAck;
    this.disconnect = disconnect;
  }

  void feedInto(BackupLogFeeder target) {
    this.feeder = target;
  }

  /** The feeder's ack sink: reaches the primary only while this node takes log; never throws. */
  void ack(long position) {
    if (!taking) {
      return;
    }
    try {
      channelAck.accept(position);
    } catch (RuntimeException e) {
      log.warn("ack {} not sent: {}", position, e.toString());
    }
  }

  /** Log from the channel; ignored once this node stopped taking log. */
  void accept(long startPosition, ByteBuffer data) {
    if (taking) {
      feeder.accept(startPosition, data);
    }
  }

  @Override
  public long receivedPosition() {
    return feeder.receivedPosition();
  }

  @Override
  public boolean awaitReceived(long position, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (feeder.receivedPosition() < position) {
      if (System.nanoTime() - deadline >= 0 || feeder.failure() != null) {
        return false;
      }
      Thread.sleep(RECEIVE_POLL_MILLIS);
    }
    return true;
  }

  @Override
  public void stopTaking() {
    taking = false;
    try {
      disconnect.run();
    } catch (RuntimeException e) {
      log.warn("disconnecting the logging channel: {}", e.toString());
    }
  }

  @Override
  public boolean awaitFed(Duration timeout) throws InterruptedException {
    return feeder.awaitFed(timeout);
  }

  @Override
  public long fedPosition() {
    return feeder.fedPosition();
  }

  @Override
  public String failure() {
    var failure = feeder.failure();
    return failure == null ? null : failure.getMessage();
  }

  @Override
  public void endStream() {
    feeder.endStream();
  }
}
