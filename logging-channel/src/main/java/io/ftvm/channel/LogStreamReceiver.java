package io.ftvm.channel;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backup end of the logging channel. Listens for the primary, accepts one authenticated session at
 * a time (a newer one supersedes the older, e.g. after a half-open connection), delivers log bytes
 * exactly once in order and sends acks for what the caller made durable.
 */
public final class LogStreamReceiver implements AutoCloseable, SessionSink {
  private static final Logger log = LoggerFactory.getLogger(LogStreamReceiver.class);

  private final InetSocketAddress bindAddress;
  private final ChannelSettings settings;
  private final LogStreamListener listener;
  private final EventLoopGroup group;
  private final ServerBootstrap bootstrap;
  private final PeerMonitor monitor;
  private final HeartbeatStats heartbeatStats;
  private final FailureDetectorThread detector;
  private final RateMeter rate;
  private final AtomicLong durable;
  private final AtomicLong bytesReceived = new AtomicLong();
  private final AtomicLong duplicateBytes = new AtomicLong();
  private final AtomicLong sessionsRejected = new AtomicLong();
  private final AtomicLong sessions = new AtomicLong();
  private volatile long receivedEnd;
  private volatile Channel session;
  private long lastAckSent = -1;
  private volatile boolean closed;
  private Channel serverChannel;

  /** Pre-shared-key mode (authenticated, not encrypted). */
  public LogStreamReceiver(
      InetSocketAddress bindAddress,
      NodeIdentity identity,
      PreSharedKey psk,
      ChannelSettings settings,
      LogStreamListener listener,
      long durablePosition) {
    this(
        bindAddress, identity, ChannelSecurity.preShared(psk), settings, listener, durablePosition);
  }

  public LogStreamReceiver(
      InetSocketAddress bindAddress,
      NodeIdentity identity,
      ChannelSecurity security,
      ChannelSettings settings,
      LogStreamListener listener,
      long durablePosition) {
    this.bindAddress = bindAddress;
    this.settings = settings;
    this.listener = listener;
    this.durable = new AtomicLong(durablePosition);
    this.receivedEnd = durablePosition;
    this.monitor = new PeerMonitor(settings.clock(), settings.failureTimeout().toNanos(), listener);
    this.heartbeatStats = new HeartbeatStats(settings.failureTimeout().toNanos() / 2);
    this.rate = new RateMeter(settings.clock(), 5);
    Transport transport = new Transport();
    this.group = transport.newGroup("ftvm-log-receiver");
    Liveness liveness = new Liveness(monitor, heartbeatStats, new Heartbeats());
    this.detector =
        new FailureDetectorThread("ftvm-log-receiver-detector", settings, group.next(), liveness);
    ChannelPipelines pipelines = new ChannelPipelines(Role.BACKUP, identity, security, settings);
    this.bootstrap =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(pipelines.initializer(durable::get, this, liveness));
  }

  /** Binds the listening socket; returns the bound address (useful with port 0). */
  public InetSocketAddress start() throws InterruptedException {
    serverChannel = bootstrap.bind(bindAddress).sync().channel();
    detector.start();
    InetSocketAddress bound = (InetSocketAddress) serverChannel.localAddress();
    log.info("Logging channel listening on {} (durable position {})", bound, durable.get());
    return bound;
  }

  /**
   * Reports that every byte before {@code durablePosition} is durable; sends an ACK. After {@link
   * #close} it does nothing: there is nobody left to tell, and a caller that is itself shutting
   * down (a backup going live) must not fail on it.
   */
  public void ack(long durablePosition) {
    if (durablePosition > receivedEnd) {
      throw new IllegalArgumentException(
          "cannot ack position " + durablePosition + " beyond received end " + receivedEnd);
    }
    if (durable.accumulateAndGet(durablePosition, Math::max) == durablePosition && !closed) {
      try {
        group.execute(this::sendAck);
      } catch (RejectedExecutionException e) {
        // close() raced with this ack: the event loop is gone, and so is the session.
        log.debug("ack {} after close dropped", durablePosition);
      }
    }
  }

  /** Best effort: false if there is no session (or the receiver is closed). */
  public boolean sendControl(ControlMessage message) {
    Channel current = session;
    if (current == null || closed) {
      return false;
    }
    current.writeAndFlush(new Frame.Control(message));
    return true;
  }

  /**
   * As {@link #sendControl(ControlMessage)}, then waits up to {@code written} for the frame to be
   * handed to the socket: for a last word before {@link #close} (which would otherwise race it).
   */
  public boolean sendControl(ControlMessage message, java.time.Duration written) {
    Channel current = session;
    if (current == null || closed) {
      return false;
    }
    return current
        .writeAndFlush(new Frame.Control(message))
        .awaitUninterruptibly(written.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Drops the current session (the primary reconnects and resends from the durable position). */
  public void dropSession(String reason) {
    Channel current = session;
    if (current != null) {
      log.warn("Dropping logging-channel session from {}: {}", current.remoteAddress(), reason);
      current.close();
    }
  }

  public long receivedEnd() {
    return receivedEnd;
  }

  public long durablePosition() {
    return durable.get();
  }

  public long duplicateBytesDropped() {
    return duplicateBytes.get();
  }

  public ChannelStats stats() {
    return new ChannelStats(
        Role.BACKUP,
        session != null,
        monitor.isLost(),
        0,
        bytesReceived.get(),
        receivedEnd,
        receivedEnd,
        durable.get(),
        -1,
        -1,
        rate.bytesPerSecond(),
        false,
        0,
        Math.max(0, sessions.get() - 1),
        sessionsRejected.get(),
        heartbeatStats.maxGapNanos(),
        heartbeatStats.gapPercentileNanos(0.999),
        heartbeatStats.maxPeerSendGapNanos(),
        heartbeatStats.maxLocalStallNanos());
  }

  @Override
  public void close() {
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    Channel current = session;
    if (current != null) {
      current.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    detector.close();
    Transport.shutdown(group);
  }

  private void sendAck() {
    Channel current = session;
    long position = durable.get();
    if (current != null && position > lastAckSent) {
      lastAckSent = position;
      current.writeAndFlush(new Frame.Ack(position));
    }
  }

  @Override
  public void sessionEstablished(Channel channel, Frame.Hello peerHello) {
    Channel previous = session;
    if (previous != null && previous != channel) {
      log.warn(
          "New authenticated session from {} supersedes the one from {}",
          channel.remoteAddress(),
          previous.remoteAddress());
      previous
          .pipeline()
          .get(SecureSessionHandler.class)
          .reject(ErrorCode.SUPERSEDED, "superseded by a newer session from the primary");
    }
    session = channel;
    sessions.incrementAndGet();
    lastAckSent = durable.get();
    channel.closeFuture().addListener(f -> onClosed(channel));
    listener.onSessionEstablished(peerHello.identity(), peerHello.logPosition());
  }

  private void onClosed(Channel channel) {
    if (session == channel) {
      session = null;
    }
  }

  @Override
  public void frameReceived(Channel channel, Frame frame) {
    if (channel != session) {
      return;
    }
    if (frame instanceof Frame.Log logFrame) {
      onLog(channel, logFrame);
    } else if (frame instanceof Frame.Control control) {
      listener.onControl(control.message());
    } else {
      channel
          .pipeline()
          .get(SecureSessionHandler.class)
          .reject(
              ErrorCode.MALFORMED_FRAME, "a backup does not accept " + frame.type() + " frames");
    }
  }

  private void onLog(Channel channel, Frame.Log logFrame) {
    long start = logFrame.startPosition();
    long end = logFrame.endPosition();
    long expected = receivedEnd;
    if (start > expected) {
      channel
          .pipeline()
          .get(SecureSessionHandler.class)
          .reject(
              ErrorCode.LOG_GAP,
              "LOG frame starts at " + start + " but the backup has received up to " + expected);
      return;
    }
    if (end <= expected) {
      duplicateBytes.addAndGet(end - start);
      return;
    }
    int skip = (int) (expected - start);
    duplicateBytes.addAndGet(skip);
    int length = (int) (end - expected);
    // Advance first: the listener may persist and ack(end) from inside the callback.
    receivedEnd = end;
    listener.onLog(
        expected, logFrame.data().nioBuffer(logFrame.data().readerIndex() + skip, length));
    bytesReceived.addAndGet(length);
    rate.record(length);
  }

  @Override
  public void sessionFailed(Channel channel, SessionEvent.Failed failure) {
    if (failure.code() != ErrorCode.SHUTDOWN) {
      sessionsRejected.incrementAndGet();
    }
    listener.onSessionClosed(failure.code(), failure.reason(), failure.reportedByPeer());
  }

  @Override
  public void writabilityChanged(Channel channel) {}

  @Override
  public long heartbeatStreamEnd() {
    return receivedEnd;
  }

  @Override
  public long heartbeatDurablePosition() {
    return durable.get();
  }
}
