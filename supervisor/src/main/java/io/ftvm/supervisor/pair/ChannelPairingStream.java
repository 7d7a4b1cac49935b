package io.ftvm.supervisor.pair;

import io.ftvm.channel.ChannelListener;
import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import io.ftvm.channel.LogSource;
import io.ftvm.channel.LogStreamSender;
import io.ftvm.channel.NodeIdentity;
import io.ftvm.replay.ChronicleLogStore;
import io.ftvm.replay.LogStore;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PairingStream} on real parts: a new FIFO (open for reading before the clone, as QEMU opens
 * its end inside the switch pause), a log store for the epoch, a pump that stores and ships what
 * the VM records there, and a logging-channel sender to the joiner at the new epoch.
 */
final class ChannelPairingStream implements PairingStream {
  private static final Logger log = LoggerFactory.getLogger(ChannelPairingStream.class);
  private static final int RECORD_PIPE_BYTES = 32 << 10;

  /** Makes the sender to the joiner (host, key and settings are the node's). */
  interface SenderFactory {
    LogStreamSender create(NodeIdentity identity, LogSource source, ChannelListener listener);
  }

  private final long epoch;
  private final Path fifoPath;
  private final Path storePath;
  private final FifoReader pipe;
  private final LogStore store;
  private final PrimaryLogPump pump;
  private final LogStreamSender sender;
  private final RecordedLog recorded;
  private final CountDownLatch connected = new CountDownLatch(1);

  private ChannelPairingStream(
      long epoch,
      Path fifoPath,
      Path storePath,
      FifoReader pipe,
      LogStore store,
      PrimaryLogPump pump,
      LogStreamSender sender) {
    this.epoch = epoch;
    this.fifoPath = fifoPath;
    this.storePath = storePath;
    this.pipe = pipe;
    this.store = store;
    this.pump = pump;
    this.sender = sender;
    this.recorded = new RecordedLog(pump, sender);
  }

  /**
   * @param events the node's reactions (peer lost, PEER_FAILED, REPROTECT_ABORTED); session
   *     establishment is tracked here as well
   * @param onAck where the new backup's acks go (the output gates)
   */
  static ChannelPairingStream open(
      NodeIdentity identity,
      Path fifoPath,
      Path storePath,
      SenderFactory senders,
      RoleStateMachine roles,
      ChannelListener events,
      LongConsumer onAck)
      throws IOException {
    Fifo fifo = Fifo.create(fifoPath);
    FifoReader pipe = fifo.openForReading();
    pipe.requestCapacity(RECORD_PIPE_BYTES);
    LogStore store = ChronicleLogStore.open(storePath);
    PrimaryLogPump pump = new PrimaryLogPump(pipe, store, LogShipper.NOBODY);
    ChannelPairingStream[] self = new ChannelPairingStream[1];
    ChannelListener listener =
        new ChannelListener() {
          @Override
          public void onSessionEstablished(NodeIdentity peer, long peerLogPosition) {
            self[0].connected.countDown();
            events.onSessionEstablished(peer, peerLogPosition);
          }

          @Override
          public void onSessionClosed(
              io.ftvm.channel.ErrorCode code, String reason, boolean reportedByPeer) {
            events.onSessionClosed(code, reason, reportedByPeer);
          }

          @Override
          public void onControl(ControlMessage message) {
            events.onControl(message);
          }

          @Override
          public void onPeerLost(String reason, long lastHeardNanos) {
            events.onPeerLost(reason, lastHeardNanos);
          }
        };
    LogStreamSender sender =
        senders.create(
            identity,
            (position, dst) -> {
              try {
                return store.readFrom(position, dst);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            listener);
    self[0] =
        new ChannelPairingStream(identity.epoch(), fifoPath, storePath, pipe, store, pump, sender);
    sender.onAck(onAck);
    pump.shipTo(new WindowedShipper(sender, roles));
    pump.start();
    sender.start();
    log.info(
        "new pairing epoch {}: recording FIFO {} open, log store {}, connecting to the joiner",
        identity.epoch(),
        fifoPath,
        storePath);
    return self[0];
  }

  PrimaryLogPump pump() {
    return pump;
  }

  LogStreamSender sender() {
    return sender;
  }

  LogStore store() {
    return store;
  }

  @Override
  public long epoch() {
    return epoch;
  }

  @Override
  public Path recordingFifo() {
    return fifoPath;
  }

  @Override
  public OutputTagger tagger() {
    return pump;
  }

  @Override
  public boolean awaitPeerConnected(Duration timeout) throws InterruptedException {
    return connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean switched() {
    try {
      return pump.bytesRead() > 0 || pipe.available() > 0;
    } catch (IOException e) {
      return pump.bytesRead() > 0;
    }
  }

  @Override
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    long target = Math.max(1, pump.storedPosition());
    return recorded.awaitAcked(target, timeout);
  }

  @Override
  public long ackedPosition() {
    return sender.ackedPosition();
  }

  @Override
  public void abandon(String why) {
    // The joiner learns it now instead of after the detection timeout; wait for the frame to
    // leave, or closing the session would race it.
    sender.sendControl(
        new ControlMessage(ControlType.REPROTECT_ABORTED, epoch), Duration.ofMillis(500));
    closeQuietly(sender);
    closeQuietly(pump);
    closeQuietly(store);
    closeQuietly(pipe);
    try {
      Files.deleteIfExists(fifoPath);
      FileTrees.deleteTree(storePath);
    } catch (IOException e) {
      log.warn("could not remove the abandoned epoch {}'s files: {}", epoch, e.getMessage());
    }
    log.info("abandoned pairing epoch {}: {}", epoch, why);
  }

  @Override
  public long storedPosition() {
    return recorded.storedPosition();
  }

  @Override
  public long positionAfterPause(Duration timeout) throws IOException, InterruptedException {
    return recorded.positionAfterPause(timeout);
  }

  @Override
  public boolean awaitAcked(long position, Duration timeout) throws InterruptedException {
    return recorded.awaitAcked(position, timeout);
  }

  @Override
  public void stopShipping() {
    recorded.stopShipping();
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      log.debug("closing {}: {}", resource, e.getMessage());
    }
  }
}
