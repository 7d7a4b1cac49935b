package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.replay.EventKind;
import io.ftvm.replay.ReplayLogFormat;
import io.ftvm.supervisor.follow.InMemoryLogStore;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoReader;
import io.ftvm.supervisor.nativeos.FifoWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7 bug 1, with the real feeder and a real FIFO: at go-live the backup stops taking log and
 * closes the logging channel while far more than the replay backlog bound is still unreplayed. The
 * feeder's later acks went into the closed receiver, threw {@code RejectedExecutionException: event
 * executor terminated}, killed the feeder thread, and the node sat in GOING_LIVE.
 */
class BackupLogIntakeTest {
  private static final int MAX_REPLAY_BACKLOG = 64;
  private static final int EVENTS = 60_000; // 300 KB: several times a pipe's 64 KiB buffer

  @TempDir Path dir;
  private final AtomicBoolean channelClosed = new AtomicBoolean();
  private final List<Long> acksSent = new CopyOnWriteArrayList<>();
  private final List<Long> acksAfterClose = new CopyOnWriteArrayList<>();
  private BackupLogFeeder feeder;

  /** Behaves like LogStreamReceiver.ack before the fix: throws once the receiver is closed. */
  private void receiverAck(long position) {
    if (channelClosed.get()) {
      acksAfterClose.add(position);
      throw new RejectedExecutionException("event executor terminated");
    }
    acksSent.add(position);
  }

  @AfterEach
  void stopFeeder() {
    if (feeder != null) {
      feeder.close();
    }
  }

  @Test
  void drainingIntoQemuAfterTheChannelClosedNeverTripsOnAnAck() throws Exception {
    Fifo fifo = Fifo.create(dir.resolve("replay.fifo"));
    CompletableFuture<FifoWriter> toQemu =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return fifo.openForWriting();
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    FifoReader qemu = fifo.openForReading(); // QEMU opened its end but is busy: reads nothing yet
    BackupLogIntake intake = new BackupLogIntake(this::receiverAck, () -> channelClosed.set(true));
    feeder =
        BackupLogFeeder.forFifo(
            new InMemoryLogStore(),
            toQemu,
            new ReplayBounds(Duration.ofDays(1), MAX_REPLAY_BACKLOG, Duration.ofDays(1)),
            intake::ack,
            why -> {});
    intake.feedInto(feeder);
    feeder.start();
    byte[] log = replayLog(EVENTS);
    for (int at = 0; at < log.length; at += 4096) {
      intake.accept(at, ByteBuffer.wrap(log, at, Math.min(4096, log.length - at)));
    }
    assertThat(intake.receivedPosition()).isEqualTo(log.length);
    assertThat(intake.fedPosition()).isLessThan(log.length - MAX_REPLAY_BACKLOG);

    intake.stopTaking(); // go-live: no more log, channel closed
    intake.accept(log.length, ByteBuffer.wrap(replayLog(1), 12, 5)); // a late chunk: ignored
    AtomicLong consumed = new AtomicLong();
    Thread replay = new Thread(() -> readAll(qemu, consumed), "fake-qemu");
    replay.start();

    assertThat(intake.awaitFed(Duration.ofSeconds(10))).as("drained into QEMU").isTrue();
    // The go-live cut: QEMU gets at least everything acknowledged (the primary may have released
    // outputs up to there), never less.
    long acked = acksSent.stream().mapToLong(Long::longValue).max().orElse(0);
    assertThat(intake.fedPosition()).isGreaterThanOrEqualTo(acked).isPositive();
    assertThat(intake.failure()).isNull();
    assertThat(acksAfterClose).as("acks into the closed channel").isEmpty();
    assertThat(intake.receivedPosition()).isEqualTo(log.length);

    intake.endStream(); // QEMU sees the end of its stream at an event boundary
    replay.join(10_000);
    assertThat(consumed.get()).isEqualTo(intake.fedPosition());
  }

  private static void readAll(FifoReader qemu, AtomicLong consumed) {
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = qemu.read(buffer, 0, buffer.length, Duration.ofSeconds(10))) >= 0) {
        consumed.addAndGet(n);
      }
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  /** A replay log: header, then {@code events} instruction events (5 bytes each). */
  private static byte[] replayLog(int events) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(12).putInt(ReplayLogFormat.REPLAY_VERSION).putLong(0);
    out.writeBytes(header.array());
    for (int i = 0; i < events; i++) {
      out.writeBytes(
          ByteBuffer.allocate(5).put((byte) EventKind.INSTRUCTION.code()).putInt(1000 + i).array());
    }
    return out.toByteArray();
  }
}
