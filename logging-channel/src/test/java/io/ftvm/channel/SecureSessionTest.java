package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Handshake and per-frame authentication, driven through in-memory channels. */
class SecureSessionTest {
  private static final NodeIdentity PRIMARY_ID = new NodeIdentity("node-a", "vm-1", 3);
  private static final NodeIdentity BACKUP_ID = new NodeIdentity("node-b", "vm-1", 3);
  private final FakeClock clock = new FakeClock();
  private final ChannelSettings settings = ChannelSettings.defaults().withClock(clock);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  static final class RecordingSink implements SessionSink {
    final List<Object> events = new ArrayList<>();
    final List<String> liveness = new ArrayList<>();
    final PeerMonitor monitor;
    final Liveness channelLiveness;

    RecordingSink(MonotonicClock clock) {
      monitor =
          new PeerMonitor(
              clock,
              Duration.ofMillis(500).toNanos(),
              new PeerMonitor.Listener() {
                @Override
                public void onPeerLost(String reason, long lastHeardNanos) {
                  liveness.add("lost");
                }

                @Override
                public void onPeerAlive() {
                  liveness.add("alive");
                }
              });
      channelLiveness = new Liveness(monitor, new HeartbeatStats(Long.MAX_VALUE), new Heartbeats());
    }

    @Override
    public void sessionEstablished(Channel channel, Frame.Hello peerHello) {
      events.add(peerHello);
    }

    @Override
    public void frameReceived(Channel channel, Frame frame) {
      if (frame instanceof Frame.Log log) {
        events.add(
            "LOG@" + log.startPosition() + ":" + log.data().toString(StandardCharsets.US_ASCII));
      } else {
        events.add(frame);
      }
    }

    @Override
    public void sessionFailed(Channel channel, SessionEvent.Failed failure) {
      events.add(failure);
    }

    @Override
    public void writabilityChanged(Channel channel) {}

    @Override
    public long heartbeatStreamEnd() {
      return 0;
    }

    @Override
    public long heartbeatDurablePosition() {
      return 0;
    }

    SessionEvent.Failed failure() {
      return events.stream()
          .filter(SessionEvent.Failed.class::isInstance)
          .map(SessionEvent.Failed.class::cast)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no failure in " + events));
    }

    boolean established() {
      return events.stream().anyMatch(Frame.Hello.class::isInstance);
    }
  }

  private EmbeddedChannel endpoint(
      Role role, NodeIdentity id, PreSharedKey key, RecordingSink sink) {
    ChannelPipelines pipelines = new ChannelPipelines(role, id, key, settings);
    EmbeddedChannel channel =
        new EmbeddedChannel(pipelines.initializer(() -> 42L, sink, sink.channelLiveness));
    channels.add(channel);
    return channel;
  }

  @AfterEach
  void closeChannels() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  /** Moves everything one side wrote to the other until both are quiet. */
  private static void shuttle(EmbeddedChannel a, EmbeddedChannel b) {
    boolean moved = true;
    while (moved) {
      moved = transfer(a, b) | transfer(b, a);
    }
  }

  private static boolean transfer(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    for (Object out = from.readOutbound(); out != null; out = from.readOutbound()) {
      moved = true;
      if (to.isActive()) {
        to.writeInbound(out);
      } else {
        ((ByteBuf) out).release();
      }
    }
    return moved;
  }

  private static PreSharedKey key(int fill) {
    byte[] bytes = new byte[32];
    java.util.Arrays.fill(bytes, (byte) fill);
    return PreSharedKey.of(bytes);
  }

  private static ByteBuf drain(EmbeddedChannel channel) {
    CompositeByteBuf all = Unpooled.compositeBuffer();
    for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
      all.addComponent(true, (ByteBuf) out);
    }
    return all;
  }

  @Test
  void handshakeSucceedsAndFramesFlowBothWays() {
    RecordingSink primarySink = new RecordingSink(clock);
    RecordingSink backupSink = new RecordingSink(clock);
    EmbeddedChannel primary = endpoint(Role.PRIMARY, PRIMARY_ID, key(1), primarySink);
    EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(1), backupSink);
    shuttle(primary, backup);
    assertThat(primarySink.events).containsExactly(new Frame.Hello(1, Role.BACKUP, BACKUP_ID, 42));
    assertThat(backupSink.established()).isTrue();

    primary.writeAndFlush(
        new Frame.Log(42, Unpooled.copiedBuffer("event", StandardCharsets.US_ASCII)));
    backup.writeAndFlush(new Frame.Ack(47));
    shuttle(primary, backup);
    assertThat(backupSink.events).contains("LOG@42:event");
    assertThat(primarySink.events).contains(new Frame.Ack(47));
  }

  @Test
  void wrongKeyIsRejectedOnBothSides() {
    RecordingSink primarySink = new RecordingSink(clock);
    RecordingSink backupSink = new RecordingSink(clock);
    EmbeddedChannel primary = endpoint(Role.PRIMARY, PRIMARY_ID, key(1), primarySink);
    EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(2), backupSink);
    shuttle(primary, backup);
    assertThat(backupSink.failure().code()).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(backupSink.failure().reason()).contains("wrong pre-shared key");
    assertThat(primarySink.failure().code()).isEqualTo(ErrorCode.AUTH_FAILED);
    assertThat(primarySink.established()).isFalse();
    assertThat(backupSink.established()).isFalse();
    assertThat(backup.isActive()).isFalse();
    assertThat(primary.isActive()).isFalse();
  }

  @Test
  void identityMismatchIsRejectedAfterAuthentication() {
    RecordingSink primarySink = new RecordingSink(clock);
    RecordingSink backupSink = new RecordingSink(clock);
    EmbeddedChannel primary =
        endpoint(Role.PRIMARY, new NodeIdentity("node-a", "vm-1", 4), key(1), primarySink);
    EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(1), backupSink);
    shuttle(primary, backup);
    assertThat(backupSink.failure().code()).isEqualTo(ErrorCode.IDENTITY_MISMATCH);
    assertThat(backupSink.failure().reason()).contains("epoch 4").contains("epoch 3");
    assertThat(backup.isActive()).isFalse();
  }

  @Test
  void unauthenticatedPeerSendingLogOrAckIsRejected() {
    for (Frame frame :
        List.<Frame>of(
            new Frame.Ack(10), new Frame.Log(0, Unpooled.wrappedBuffer(new byte[] {1})))) {
      RecordingSink backupSink = new RecordingSink(clock);
      EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(1), backupSink);
      drain(backup).release();
      ByteBuf body = new FrameCodec().encode(frame, ByteBufAllocator.DEFAULT);
      ByteBuf wire = Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body);
      body.release();
      backup.writeInbound(wire);
      assertThat(backupSink.failure().code()).isEqualTo(ErrorCode.NOT_AUTHENTICATED);
      assertThat(backupSink.failure().reason())
          .contains(frame.type() + " frame received before authentication completed");
      assertThat(backup.isActive()).isFalse();
      ByteBuf reply = drain(backup);
      assertThat(reply.toString(StandardCharsets.UTF_8)).contains("before authentication");
      reply.release();
    }
  }

  @Test
  void tamperedFrameFailsMac() {
    RecordingSink primarySink = new RecordingSink(clock);
    RecordingSink backupSink = new RecordingSink(clock);
    EmbeddedChannel primary = endpoint(Role.PRIMARY, PRIMARY_ID, key(1), primarySink);
    EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(1), backupSink);
    shuttle(primary, backup);
    primary.writeAndFlush(
        new Frame.Log(42, Unpooled.copiedBuffer("event", StandardCharsets.US_ASCII)));
    ByteBuf wire = Unpooled.copiedBuffer(drain(primary));
    wire.setByte(4 + 1 + 8, 'E'); // flip the first log byte
    backup.writeInbound(wire);
    assertThat(backupSink.failure().code()).isEqualTo(ErrorCode.BAD_MAC);
    assertThat(backupSink.events).noneMatch(e -> e.toString().startsWith("LOG@"));
    assertThat(backup.isActive()).isFalse();
  }

  @Test
  void replayedFrameFailsMac() {
    RecordingSink primarySink = new RecordingSink(clock);
    RecordingSink backupSink = new RecordingSink(clock);
    EmbeddedChannel primary = endpoint(Role.PRIMARY, PRIMARY_ID, key(1), primarySink);
    EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(1), backupSink);
    shuttle(primary, backup);
    primary.writeAndFlush(
        new Frame.Log(42, Unpooled.copiedBuffer("once", StandardCharsets.US_ASCII)));
    ByteBuf wire = Unpooled.copiedBuffer(drain(primary));
    byte[] copy = ByteBufUtil.getBytes(wire);
    backup.writeInbound(wire);
    assertThat(backupSink.events).contains("LOG@42:once");
    backup.writeInbound(Unpooled.wrappedBuffer(copy));
    assertThat(backupSink.failure().code()).isEqualTo(ErrorCode.BAD_MAC);
    assertThat(backupSink.failure().reason()).contains("frame #").contains("replayed");
    assertThat(backupSink.events.stream().filter("LOG@42:once"::equals)).hasSize(1);
  }

  @Test
  void handshakeTimesOutWhenPeerStaysSilent() {
    RecordingSink backupSink = new RecordingSink(clock);
    EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(1), backupSink);
    backup.advanceTimeBy(settings.handshakeTimeout().toMillis() + 1, TimeUnit.MILLISECONDS);
    backup.runScheduledPendingTasks();
    assertThat(backupSink.failure().code()).isEqualTo(ErrorCode.HANDSHAKE_TIMEOUT);
    assertThat(backup.isActive()).isFalse();
  }

  @Test
  void heartbeatsKeepPeerAliveAndSilenceDeclaresItLost() {
    RecordingSink primarySink = new RecordingSink(clock);
    RecordingSink backupSink = new RecordingSink(clock);
    EmbeddedChannel primary = endpoint(Role.PRIMARY, PRIMARY_ID, key(1), primarySink);
    EmbeddedChannel backup = endpoint(Role.BACKUP, BACKUP_ID, key(1), backupSink);
    shuttle(primary, backup);
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofMillis(100));
      // What the failure-detector thread posts to the event loop every heartbeat interval.
      primarySink.channelLiveness.heartbeats().beat();
      shuttle(primary, backup);
      backupSink.monitor.onReceivePathCurrent(clock.nanoTime());
      backupSink.monitor.check();
    }
    assertThat(backupSink.liveness).isEmpty();
    assertThat(backupSink.channelLiveness.stats().maxGapNanos())
        .isEqualTo(Duration.ofMillis(100).toNanos());
    clock.advance(Duration.ofMillis(501));
    backupSink.monitor.onReceivePathCurrent(clock.nanoTime());
    backupSink.monitor.check();
    assertThat(backupSink.liveness).containsExactly("lost");
    primarySink.channelLiveness.heartbeats().beat();
    shuttle(primary, backup);
    assertThat(backupSink.liveness).containsExactly("lost", "alive");
  }
}
