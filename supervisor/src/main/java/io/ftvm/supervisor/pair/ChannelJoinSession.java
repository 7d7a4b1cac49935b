package io.ftvm.supervisor.pair;

import io.ftvm.channel.ChannelSecurity;
import io.ftvm.channel.ChannelSettings;
import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import io.ftvm.channel.ErrorCode;
import io.ftvm.channel.LogStreamListener;
import io.ftvm.channel.LogStreamReceiver;
import io.ftvm.channel.NodeIdentity;
import io.ftvm.replay.ChronicleLogStore;
import io.ftvm.replay.LogStore;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The joining node's side of one pairing attempt on real parts: the epoch's log store, the intake
 * and feeder that will hand the log to the cloned VM's FIFO, and the logging-channel receiver at
 * the new epoch. All of it exists before the primary connects, so log recorded right after the
 * switch is never dropped. Until the join finished, losing the primary or its REPROTECT_ABORTED
 * abort the attempt (this node has no complete replica and never claims).
 */
final class ChannelJoinSession implements JoinSessions.Session, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChannelJoinSession.class);

  /** What the node does with events once the join finished (it is an ordinary backup then). */
  interface AfterJoin {
    void peerLost(String reason);

    void control(ControlMessage message);
  }

  private final long epoch;
  private final LogStore store;
  private final BackupLogIntake intake;
  private final BackupLogFeeder feeder;
  private final LogStreamReceiver receiver;
  private final CountDownLatch primaryArrived = new CountDownLatch(1);
  private Fifo fifo;
  private CompletableFuture<FifoWriter> qemuPipe;
  private volatile String aborted;
  private volatile AfterJoin joined;

  private ChannelJoinSession(
      long epoch,
      LogStore store,
      BackupLogIntake intake,
      BackupLogFeeder feeder,
      LogStreamReceiver[] receiver) {
    this.epoch = epoch;
    this.store = store;
    this.intake = intake;
    this.feeder = feeder;
    this.receiver = receiver[0];
  }

  static ChannelJoinSession listen(
      NodeIdentity identity,
      InetSocketAddress bind,
      ChannelSecurity key,
      ChannelSettings settings,
      Path storePath,
      Path fifoPath,
      ReplayBounds bounds,
      Consumer<String> onStall)
      throws IOException {
    LogStore store = ChronicleLogStore.open(storePath);
    Fifo fifo = Fifo.create(fifoPath);
    CompletableFuture<FifoWriter> qemuPipe = new CompletableFuture<>();
    Thread opener =
        new Thread(
            () -> {
              try {
                qemuPipe.complete(fifo.openForWriting());
              } catch (IOException e) {
                qemuPipe.completeExceptionally(e);
              }
            },
            "replay-pipe-open-epoch-" + identity.epoch());
    opener.setDaemon(true);
    opener.start();
    LogStreamReceiver[] receiver = new LogStreamReceiver[1];
    BackupLogIntake intake =
        new BackupLogIntake(p -> receiver[0].ack(p), () -> receiver[0].close());
    BackupLogFeeder feeder = BackupLogFeeder.forFifo(store, qemuPipe, bounds, intake::ack, onStall);
    intake.feedInto(feeder);
    ChannelJoinSession[] self = new ChannelJoinSession[1];
    receiver[0] =
        new LogStreamReceiver(
            bind,
            identity,
            key,
            settings,
            new LogStreamListener() {
              @Override
              public void onLog(long startPosition, ByteBuffer data) {
                intake.accept(startPosition, data);
              }

              @Override
              public void onSessionEstablished(NodeIdentity peer, long peerLogPosition) {
                log.info("primary {} connected for pairing epoch {}", peer.nodeId(), peer.epoch());
                self[0].primaryArrived.countDown();
              }

              @Override
              public void onControl(ControlMessage message) {
                self[0].control(message);
              }

              @Override
              public void onPeerLost(String reason, long lastHeardNanos) {
                self[0].peerLost(reason);
              }

              @Override
              public void onSessionClosed(ErrorCode code, String reason, boolean byPeer) {
                log.info("logging channel session closed: {} {}", code, reason);
              }
            },
            0);
    self[0] = new ChannelJoinSession(identity.epoch(), store, intake, feeder, receiver);
    self[0].fifo = fifo;
    self[0].qemuPipe = qemuPipe;
    try {
      receiver[0].start();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      self[0].close();
      throw new IOException("interrupted while binding the logging channel", e);
    }
    feeder.start();
    return self[0];
  }

  BackupLogIntake intake() {
    return intake;
  }

  BackupLogFeeder feeder() {
    return feeder;
  }

  LogStreamReceiver receiver() {
    return receiver;
  }

  LogStore store() {
    return store;
  }

  /** The join finished: events go to the node's backup handling from now on. */
  void joined(AfterJoin afterJoin) {
    this.joined = afterJoin;
  }

  private void control(ControlMessage message) {
    AfterJoin after = joined;
    if (after != null) {
      after.control(message);
    } else if (message.type() == ControlType.REPROTECT_ABORTED
        || message.type() == ControlType.PEER_FAILED) {
      if (aborted == null) {
        aborted = message.type() + " for epoch " + message.position();
      }
    }
  }

  private void peerLost(String reason) {
    AfterJoin after = joined;
    if (after != null) {
      after.peerLost(reason);
    } else if (aborted == null) {
      aborted = "primary lost: " + reason;
    }
  }

  @Override
  public boolean awaitPrimary(Duration timeout) throws InterruptedException {
    return primaryArrived.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public String aborted() {
    return aborted;
  }

  @Override
  public void abort(String why) {
    // Wait for the frame to leave: closing the session right after would race it.
    receiver.sendControl(
        new ControlMessage(ControlType.REPROTECT_ABORTED, epoch), Duration.ofMillis(500));
    log.info("giving up pairing epoch {}: {}", epoch, why);
    close();
  }

  @Override
  public void close() {
    closeQuietly(receiver);
    closeQuietly(feeder);
    closeQuietly(store);
    if (qemuPipe != null && !qemuPipe.isDone()) {
      // No QEMU ever opened the FIFO: open a read end ourselves so the opener thread returns.
      try (var unblock = fifo.openForReading()) {
        qemuPipe.thenAccept(ChannelJoinSession::closeQuietly);
      } catch (IOException e) {
        log.debug("unblocking the FIFO opener: {}", e.getMessage());
      }
    }
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      if (resource != null) {
        resource.close();
      }
    } catch (Exception e) {
      log.debug("closing {}: {}", resource, e.getMessage());
    }
  }
}
