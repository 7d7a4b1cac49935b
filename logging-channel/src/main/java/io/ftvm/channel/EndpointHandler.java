package io.ftvm.channel;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last handler of an authenticated channel: feeds the peer monitor with every frame, joins the
 * endpoint's heartbeats while the session is up (the failure detector thread times them), and hands
 * everything else to the endpoint.
 */
final class EndpointHandler extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(EndpointHandler.class);
  private final SessionSink sink;
  private final Liveness liveness;
  private final ChannelSettings settings;
  private ChannelHandlerContext context;
  private long heartbeatSequence;
  private long lastPeerHeartbeatSequence = -1;

  EndpointHandler(SessionSink sink, Liveness liveness, ChannelSettings settings) {
    this.sink = sink;
    this.liveness = liveness;
    this.settings = settings;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof SessionEvent.Established established) {
      liveness.monitor().onTraffic();
      liveness.stats().onSessionStart();
      context = ctx;
      sendHeartbeat();
      liveness.heartbeats().add(this);
      sink.sessionEstablished(ctx.channel(), established.peerHello());
    } else if (event instanceof SessionEvent.Failed failed) {
      stopHeartbeats();
      sink.sessionFailed(ctx.channel(), failed);
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  /** Event loop: sends one heartbeat on this session if it is still up. */
  void sendHeartbeat() {
    ChannelHandlerContext ctx = context;
    if (ctx == null || !ctx.channel().isActive()) {
      return;
    }
    ctx.writeAndFlush(
        new Frame.Heartbeat(
            heartbeatSequence++,
            settings.clock().nanoTime(),
            sink.heartbeatStreamEnd(),
            sink.heartbeatDurablePosition()));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    liveness.monitor().onTraffic();
    if (msg instanceof Frame.Heartbeat heartbeat) {
      liveness.stats().onHeartbeat(settings.clock().nanoTime(), heartbeat.senderNanos());
      if (heartbeat.sequence() != lastPeerHeartbeatSequence + 1) {
        // Frames are MAC-sequenced, so a jump only means the peer restarted its counter.
        log.debug("Peer heartbeat sequence jumped to {}", heartbeat.sequence());
      }
      lastPeerHeartbeatSequence = heartbeat.sequence();
      return;
    }
    try {
      sink.frameReceived(ctx.channel(), (Frame) msg);
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    sink.writabilityChanged(ctx.channel());
    super.channelWritabilityChanged(ctx);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    stopHeartbeats();
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.warn("Unhandled error on logging channel {}", ctx.channel().remoteAddress(), cause);
    SecureSessionHandler secure = ctx.pipeline().get(SecureSessionHandler.class);
    if (secure != null) {
      secure.reject(ErrorCode.INTERNAL, "internal error: " + cause);
    } else {
      ctx.close();
    }
  }

  private void stopHeartbeats() {
    liveness.heartbeats().remove(this);
    context = null;
  }
}
