package io.ftvm.channel;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Primary end of the logging channel. Connects to the backup, authenticates, resends from the
 * backup's durable position (read from the {@link LogSource}), then streams offered chunks live.
 * Reconnects with exponential backoff until closed. All stream state lives on one event loop.
 */
public final class LogStreamSender implements AutoCloseable, SessionSink {
  private static final Logger log = LoggerFactory.getLogger(LogStreamSender.class);
  private static final long RESEND_PROGRESS_BYTES = 16L << 20;
  private static final long LARGE_RESEND_BYTES = 1L << 20;

  private record Sent(long endPosition, long sentNanos) {}

  private final String host;
  private final int port;
  private final ChannelSettings settings;
  private final LogSource source;
  private final ChannelListener listener;
  private final EventLoopGroup group;
  private final Bootstrap bootstrap;
  private final FlowControlWindow window;
  private final PeerMonitor monitor;
  private final HeartbeatStats heartbeatStats;
  private final FailureDetectorThread detector;
  private final RttWindow rtt = new RttWindow(1024);
  private final RateMeter rate;
  private final List<LongConsumer> ackListeners = new CopyOnWriteArrayList<>();
  private final AtomicLong bytesSent = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong sessionsRejected = new AtomicLong();
  private final Object offerLock = new Object();
  private long offeredEnd;

  // Event-loop confined.
  private final ArrayDeque<Sent> inFlight = new ArrayDeque<>();
  private Channel session;
  private volatile boolean established;
  private volatile long sendPosition;
  private long knownEnd;
  private boolean ackKnown;
  private long resendEnd = -1;
  private long resendStartNanos;
  private long nextProgressAt;
  private long backoffNanos;
  private volatile boolean closed;
  private boolean started;

  /** Pre-shared-key mode (authenticated, not encrypted). */
  public LogStreamSender(
      String host,
      int port,
      NodeIdentity identity,
      PreSharedKey psk,
      ChannelSettings settings,
      LogSource source,
      ChannelListener listener,
      long startPosition) {
    this(
        host,
        port,
        identity,
        ChannelSecurity.preShared(psk),
        settings,
        source,
        listener,
        startPosition);
  }

  public LogStreamSender(
      String host,
      int port,
      NodeIdentity identity,
      ChannelSecurity security,
      ChannelSettings settings,
      LogSource source,
      ChannelListener listener,
      long startPosition) {
    this.host = host;
    this.port = port;
    this.settings = settings;
    this.source = source;
    this.listener = listener;
    this.offeredEnd = startPosition;
    this.knownEnd = startPosition;
    this.sendPosition = startPosition;
    this.window =
        new FlowControlWindow(
            settings.clock(), settings.maxUnackedBytes(), settings.maxLag(), startPosition);
    this.monitor = new PeerMonitor(settings.clock(), settings.failureTimeout().toNanos(), listener);
    this.heartbeatStats = new HeartbeatStats(settings.failureTimeout().toNanos() / 2);
    this.rate = new RateMeter(settings.clock(), 5);
    this.backoffNanos = settings.reconnectBackoffMin().toNanos();
    Transport transport = new Transport();
    this.group = transport.newGroup("ftvm-log-sender");
    Liveness liveness = new Liveness(monitor, heartbeatStats, new Heartbeats());
    this.detector =
        new FailureDetectorThread("ftvm-log-sender-detector", settings, group.next(), liveness);
    ChannelPipelines pipelines = new ChannelPipelines(Role.PRIMARY, identity, security, settings);
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 2000)
            .option(
                ChannelOption.WRITE_BUFFER_WATER_MARK,
                new WriteBufferWaterMark(2 * settings.maxFrameSize(), 8 * settings.maxFrameSize()))
            .handler(pipelines.initializer(this::helloPosition, this, liveness));
  }

  /** Starts connecting (and reconnecting) to the backup. */
  public void start() {
    group.execute(
        () -> {
          if (started || closed) {
            return;
          }
          started = true;
          detector.start();
          connect();
        });
  }

  /** Appends a chunk (ending at a replay-event boundary); takes ownership of {@code chunk}. */
  public void offer(long startPosition, ByteBuf chunk) {
    int length = chunk.readableBytes();
    synchronized (offerLock) {
      String problem = null;
      if (closed) {
        problem = "sender is closed";
      } else if (startPosition != offeredEnd) {
        problem =
            "chunk offered at position "
                + startPosition
                + " but the stream ends at "
                + offeredEnd
                + " (chunks must be contiguous)";
      } else if (length == 0 || length > settings.maxChunkBytes()) {
        problem =
            "chunk at position "
                + startPosition
                + " has "
                + length
                + " bytes, allowed 1.."
                + settings.maxChunkBytes()
                + " (split at event boundaries)";
      }
      if (problem != null) {
        chunk.release();
        throw closed ? new IllegalStateException(problem) : new IllegalArgumentException(problem);
      }
      offeredEnd = startPosition + length;
      window.onOffered(offeredEnd);
    }
    rate.record(length);
    group.execute(() -> deliver(startPosition, chunk));
  }

  /** Copying variant for callers that reuse their buffer. */
  public void offer(long startPosition, ByteBuffer chunk) {
    offer(startPosition, Unpooled.copiedBuffer(chunk));
  }

  public long ackedPosition() {
    return window.ackedPosition();
  }

  public void onAck(LongConsumer ackListener) {
    ackListeners.add(ackListener);
  }

  /** Blocks while log ending at {@code position} would exceed the flow-control window. */
  public boolean awaitWindow(long position, Duration timeout) throws InterruptedException {
    return window.await(position, timeout);
  }

  public boolean windowOpenFor(long position) {
    return window.isOpenFor(position);
  }

  public boolean isThrottled() {
    return window.isThrottled();
  }

  /** Best effort: false if there is no authenticated session right now. */
  public boolean sendControl(ControlMessage message) {
    Channel current = session;
    if (!established || current == null) {
      return false;
    }
    current.writeAndFlush(new Frame.Control(message));
    return true;
  }

  /**
   * As {@link #sendControl(ControlMessage)}, then waits up to {@code written} for the frame to be
   * handed to the socket: for a last word before {@link #close} (which would otherwise race it).
   */
  public boolean sendControl(ControlMessage message, Duration written) {
    Channel current = session;
    if (!established || current == null) {
      return false;
    }
    return current
        .writeAndFlush(new Frame.Control(message))
        .awaitUninterruptibly(written.toMillis(), TimeUnit.MILLISECONDS);
  }

  public ChannelStats stats() {
    long end;
    synchronized (offerLock) {
      end = offeredEnd;
    }
    return new ChannelStats(
        Role.PRIMARY,
        established,
        monitor.isLost(),
        bytesSent.get(),
        0,
        end,
        sendPosition,
        window.ackedPosition(),
        rtt.percentile(0.50),
        rtt.percentile(0.99),
        rate.bytesPerSecond(),
        window.isThrottled(),
        window.throttledNanos(),
        reconnects.get(),
        sessionsRejected.get(),
        heartbeatStats.maxGapNanos(),
        heartbeatStats.gapPercentileNanos(0.999),
        heartbeatStats.maxPeerSendGapNanos(),
        heartbeatStats.maxLocalStallNanos());
  }

  @Override
  public void close() {
    closed = true;
    Channel current = session;
    if (current != null) {
      current.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    detector.close();
    Transport.shutdown(group);
  }

  private long helloPosition() {
    return knownEnd;
  }

  private void connect() {
    if (closed) {
      return;
    }
    ChannelFuture future = bootstrap.connect(host, port);
    future.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            log.debug("Connecting to backup {}:{} failed: {}", host, port, f.cause().toString());
            scheduleReconnect();
          } else {
            f.channel().closeFuture().addListener(c -> onClosed(f.channel()));
          }
        });
  }

  private void onClosed(Channel channel) {
    if (channel == session) {
      session = null;
      established = false;
      inFlight.clear();
      resendEnd = -1;
    }
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    long delay = backoffNanos;
    backoffNanos = Math.min(backoffNanos * 2, settings.reconnectBackoffMax().toNanos());
    reconnects.incrementAndGet();
    group.schedule(this::connect, delay, TimeUnit.NANOSECONDS);
  }

  private void deliver(long startPosition, ByteBuf chunk) {
    knownEnd = startPosition + chunk.readableBytes();
    if (established && sendPosition == startPosition && resendEnd < 0) {
      long now = settings.clock().nanoTime();
      sendPosition = knownEnd;
      bytesSent.addAndGet(chunk.readableBytes());
      inFlight.addLast(new Sent(knownEnd, now));
      session.writeAndFlush(new Frame.Log(startPosition, chunk));
      return;
    }
    // Not live (no session, or still resending): the chunk is in the durable store, resend reads
    // it.
    chunk.release();
    pump();
  }

  @Override
  public void sessionEstablished(Channel channel, Frame.Hello peerHello) {
    long durable = peerHello.logPosition();
    SecureSessionHandler secure = channel.pipeline().get(SecureSessionHandler.class);
    if (durable > knownEnd) {
      secure.reject(
          ErrorCode.POSITION_CONFLICT,
          "backup claims durable log up to "
              + durable
              + " but this primary's log ends at "
              + knownEnd
              + " (diverged pairing?)");
      return;
    }
    if (ackKnown && durable < window.ackedPosition()) {
      secure.reject(
          ErrorCode.POSITION_CONFLICT,
          "backup resumes from "
              + durable
              + " but it already acknowledged "
              + window.ackedPosition()
              + " (durable log lost on the backup)");
      return;
    }
    session = channel;
    established = true;
    ackKnown = true;
    backoffNanos = settings.reconnectBackoffMin().toNanos();
    sendPosition = durable;
    applyAck(durable);
    long backlog = knownEnd - durable;
    resendEnd = backlog > 0 ? knownEnd : -1;
    resendStartNanos = settings.clock().nanoTime();
    nextProgressAt = durable + RESEND_PROGRESS_BYTES;
    if (backlog >= LARGE_RESEND_BYTES) {
      log.info(
          "Resending {} MiB of log [{}, {}) to backup {}",
          backlog >> 20,
          durable,
          knownEnd,
          peerHello.identity().nodeId());
    } else {
      log.info(
          "Streaming to backup {} from position {} (resend {} bytes)",
          peerHello.identity().nodeId(),
          durable,
          backlog);
    }
    listener.onSessionEstablished(peerHello.identity(), durable);
    pump();
  }

  private void pump() {
    Channel channel = session;
    if (!established || channel == null) {
      return;
    }
    boolean wrote = false;
    while (sendPosition < knownEnd && channel.isWritable()) {
      ByteBuf buffer = channel.alloc().ioBuffer(settings.maxChunkBytes());
      int read;
      try {
        read = source.read(sendPosition, buffer.nioBuffer(0, buffer.capacity()));
      } catch (RuntimeException e) {
        buffer.release();
        sourceFailed(channel, e.toString());
        return;
      }
      if (read <= 0 || read > settings.maxChunkBytes()) {
        buffer.release();
        sourceFailed(channel, "log source returned " + read + " bytes at " + sendPosition);
        return;
      }
      buffer.writerIndex(read);
      channel.write(new Frame.Log(sendPosition, buffer));
      sendPosition += read;
      bytesSent.addAndGet(read);
      wrote = true;
      logResendProgress();
    }
    if (wrote) {
      channel.flush();
    }
    if (resendEnd >= 0 && sendPosition >= knownEnd) {
      long millis = (settings.clock().nanoTime() - resendStartNanos) / 1_000_000;
      log.info("Resend caught up at position {} after {} ms; streaming live", sendPosition, millis);
      resendEnd = -1;
    }
  }

  private void logResendProgress() {
    if (resendEnd >= 0 && sendPosition >= nextProgressAt) {
      log.info("Resend progress: position {} of {}", sendPosition, knownEnd);
      nextProgressAt += RESEND_PROGRESS_BYTES;
    }
  }

  private void sourceFailed(Channel channel, String detail) {
    log.error("Cannot resend log from position {}: {}", sendPosition, detail);
    channel
        .pipeline()
        .get(SecureSessionHandler.class)
        .reject(
            ErrorCode.SOURCE_UNAVAILABLE,
            "primary cannot read its log at position " + sendPosition + ": " + detail);
  }

  @Override
  public void frameReceived(Channel channel, Frame frame) {
    if (channel != session) {
      return;
    }
    if (frame instanceof Frame.Ack ack) {
      if (ack.durablePosition() > sendPosition) {
        channel
            .pipeline()
            .get(SecureSessionHandler.class)
            .reject(
                ErrorCode.POSITION_CONFLICT,
                "ack for position " + ack.durablePosition() + " beyond sent " + sendPosition);
        return;
      }
      applyAck(ack.durablePosition());
    } else if (frame instanceof Frame.Control control) {
      listener.onControl(control.message());
    } else {
      channel
          .pipeline()
          .get(SecureSessionHandler.class)
          .reject(
              ErrorCode.MALFORMED_FRAME, "a primary does not accept " + frame.type() + " frames");
    }
  }

  private void applyAck(long position) {
    if (!window.onAck(position)) {
      return;
    }
    long now = settings.clock().nanoTime();
    while (!inFlight.isEmpty() && inFlight.peekFirst().endPosition() <= position) {
      rtt.add(now - inFlight.removeFirst().sentNanos());
    }
    for (LongConsumer ackListener : ackListeners) {
      ackListener.accept(position);
    }
  }

  @Override
  public void sessionFailed(Channel channel, SessionEvent.Failed failure) {
    if (failure.code() != ErrorCode.SHUTDOWN) {
      sessionsRejected.incrementAndGet();
    }
    listener.onSessionClosed(failure.code(), failure.reason(), failure.reportedByPeer());
  }

  @Override
  public void writabilityChanged(Channel channel) {
    if (channel == session && channel.isWritable()) {
      pump();
    }
  }

  @Override
  public long heartbeatStreamEnd() {
    return knownEnd;
  }

  @Override
  public long heartbeatDurablePosition() {
    return window.ackedPosition();
  }
}
