package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.replay.EventKind;
import io.ftvm.replay.ReplayLogFormat;
import io.ftvm.supervisor.follow.InMemoryLogStore;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The ack rule, the go-live cut and the watchdog, with a fake clock and a fake pipe whose reader
 * (QEMU) consumes only when the test says so.
 */
class BackupLogFeederTest {
  private static final long MS = 1_000_000L;
  private static final ReplayBounds BOUNDS =
      new ReplayBounds(Duration.ofMillis(300), 2L << 20, Duration.ofSeconds(3));

  private final AtomicLong now = new AtomicLong();
  private final List<Long> acks = new CopyOnWriteArrayList<>();
  private final List<String> stalls = new CopyOnWriteArrayList<>();
  private final FakeReplayPipe pipe = new FakeReplayPipe(1 << 16);
  private final AtomicBoolean channelClosed = new AtomicBoolean();
  private final BackupLogFeeder feeder =
      new BackupLogFeeder(
          new InMemoryLogStore(),
          CompletableFuture.completedFuture(pipe),
          BOUNDS,
          position -> {
            if (channelClosed.get()) {
              throw new RejectedExecutionException("event executor terminated");
            }
            acks.add(position);
          },
          stalls::add,
          now::get);
  private final Log log = new Log();

  @AfterEach
  void close() {
    feeder.close();
  }

  @Test
  void acknowledgesWhatTheReplayCanReachWithinTheBoundNotWhatArrived() {
    feeder.start();
    long a = arrive(0, 3);
    assertThat(lastAck()).as("caught up: acked at once").isEqualTo(a);
    long b = arrive(200, 3);
    assertThat(lastAck()).isEqualTo(b);
    long c = arrive(400, 3);
    assertThat(lastAck()).as("QEMU consumed nothing; C arrived 400 ms after A").isEqualTo(b);
    await().until(() -> pipe.writtenBytes() == c); // A, B and the first unacknowledged chunk

    pipe.consume((int) a); // QEMU read A
    feeder.checkProgress();

    BackupLogFeeder.Progress progress = feeder.progress();
    assertThat(progress.consumed()).as("written minus still in the pipe").isEqualTo(a);
    assertThat(progress.written()).isEqualTo(c);
    assertThat(progress.lagMillis())
        .as("oldest unconsumed byte (B) arrived at 200 ms")
        .isEqualTo(200);
    assertThat(lastAck()).as("unconsumed log before C now spans 200 ms").isEqualTo(c);

    pipe.consumeAll();
    feeder.checkProgress();
    assertThat(feeder.progress().lagMillis()).isZero();
  }

  @Test
  void acknowledgesABigChunkPieceByPieceAsQemuConsumesIt() {
    BackupLogFeeder capped =
        new BackupLogFeeder(
            new InMemoryLogStore(),
            CompletableFuture.completedFuture(pipe),
            new ReplayBounds(Duration.ofMillis(300), 8192, Duration.ofSeconds(3)),
            acks::add,
            stalls::add,
            now::get);
    try {
      capped.start();
      now.set(0);
      byte[] burst = log.append(4000); // 20 KB at once, as from a primary held by flow control
      capped.accept(0, ByteBuffer.wrap(burst));
      assertThat(lastAck()).as("part of the burst, within the byte cap").isBetween(4096L, 8192L);
      await().until(() -> pipe.writtenBytes() >= lastAck());

      long consumed = pipe.writtenBytes();
      pipe.consumeAll();
      capped.checkProgress();
      assertThat(lastAck()).isBetween(consumed + 4096, consumed + 8192);
    } finally {
      capped.close();
    }
  }

  @Test
  void handsQemuOnlyTheAcknowledgedLogAndOneChunkMore() {
    feeder.start();
    arrive(0, 3);
    long b = arrive(200, 3);
    long c = arrive(400, 3);
    long d = arrive(600, 3);
    await().until(() -> pipe.writtenBytes() == c);
    feeder.checkProgress();
    assertThat(lastAck()).isEqualTo(b);
    assertThat(pipe.writtenBytes()).as("D waits until QEMU catches up").isEqualTo(c);
    assertThat(feeder.receivedPosition()).isEqualTo(d);
  }

  @Test
  void goLiveEndsTheStreamAtTheAcknowledgedPositionNotAtWhatArrived() throws Exception {
    feeder.start();
    arrive(0, 3);
    long b = arrive(200, 3);
    long c = arrive(400, 3);
    long d = arrive(600, 3);
    await().until(() -> pipe.writtenBytes() == c);
    assertThat(lastAck()).isEqualTo(b);

    channelClosed.set(true); // go-live closes the channel first: acks must not break the feeder
    now.addAndGet(10 * MS);
    feeder.checkProgress();
    assertThat(feeder.awaitFed(Duration.ofSeconds(5))).isTrue();
    feeder.endStream();
    pipe.consumeAll(); // QEMU replays what it was given

    await().until(pipe::closed);
    assertThat(pipe.writtenBytes())
        .as("stream ends after the chunk already in the pipe, not at the received end " + d)
        .isEqualTo(c);
    assertThat(pipe.writtenContent()).isEqualTo(Arrays.copyOf(log.bytes(), (int) c));
    assertThat(feeder.failure()).isNull();
  }

  @Test
  void aHandoffReplaysEverythingTheAcknowledgementCovered() throws Exception {
    feeder.start();
    long end = 0;
    for (int i = 0; i < 5; i++) {
      end = arrive(200 * i, 3);
      await().until(() -> pipe.writtenBytes() == log.size());
      pipe.consumeAll(); // a replay that keeps up
      feeder.checkProgress();
    }
    assertThat(lastAck()).as("the primary's awaitAck(end) returns").isEqualTo(end);

    assertThat(feeder.awaitFed(Duration.ofSeconds(5))).isTrue();
    feeder.endStream();
    await().until(pipe::closed);
    assertThat(pipe.writtenBytes()).isEqualTo(end);
  }

  @Test
  void theWatchdogFiresWhenQemuStopsConsumingLogItWasGiven() {
    feeder.start();
    long a = arrive(0, 3);
    await().until(() -> pipe.writtenBytes() == a);
    now.set(2999 * MS);
    feeder.checkProgress();
    assertThat(stalls).isEmpty();

    now.set(3000 * MS);
    feeder.checkProgress();
    feeder.checkProgress();

    assertThat(stalls).hasSize(1);
    assertThat(stalls.get(0))
        .contains("replay stalled")
        .contains("consumed 0")
        .contains("written " + a);
    assertThat(feeder.progress().stalled()).isTrue();
  }

  @Test
  void theWatchdogStaysQuietWhileTheReplayProgresses() {
    feeder.start();
    long a = arrive(0, 100);
    await().until(() -> pipe.writtenBytes() == a);
    for (long t = 0; t <= 20_000; t += 900) {
      now.set(t * MS);
      feeder.checkProgress();
      pipe.consume(5); // one event in 900 ms: slow, but moving
    }
    assertThat(pipe.unread()).as("log was waiting all along").isPositive();
    assertThat(stalls).isEmpty();
  }

  @Test
  void theWatchdogStaysQuietWhileThereIsNothingToReplay() {
    feeder.start();
    long a = arrive(0, 3);
    await().until(() -> pipe.writtenBytes() == a);
    pipe.consumeAll();
    for (long t = 0; t <= 20_000; t += 500) {
      now.set(t * MS);
      feeder.checkProgress();
    }
    assertThat(stalls).isEmpty();
    assertThat(feeder.progress().stalled()).isFalse();
  }

  /** A chunk of {@code events} whole instruction events arrives at {@code atMillis}. */
  private long arrive(long atMillis, int events) {
    now.set(atMillis * MS);
    long start = log.size();
    byte[] chunk = log.append(events);
    feeder.accept(start, ByteBuffer.wrap(chunk));
    return log.size();
  }

  private long lastAck() {
    return acks.isEmpty() ? 0 : acks.get(acks.size() - 1);
  }

  /** A replay log: the header, then instruction events, handed out in chunks. */
  private static final class Log {
    private final ByteArrayOutputStream all = new ByteArrayOutputStream();
    private boolean headerWritten;

    byte[] append(int events) {
      ByteArrayOutputStream chunk = new ByteArrayOutputStream();
      if (!headerWritten) {
        putInt(chunk, ReplayLogFormat.REPLAY_VERSION);
        putInt(chunk, 0);
        putInt(chunk, 0);
        headerWritten = true;
      }
      for (int i = 0; i < events; i++) {
        chunk.write(EventKind.INSTRUCTION.code());
        putInt(chunk, 1000);
      }
      byte[] bytes = chunk.toByteArray();
      all.writeBytes(bytes);
      return bytes;
    }

    long size() {
      return all.size();
    }

    byte[] bytes() {
      return all.toByteArray();
    }

    private static void putInt(ByteArrayOutputStream out, int value) {
      out.write(value >>> 24);
      out.write(value >>> 16);
      out.write(value >>> 8);
      out.write(value);
    }
  }
}
