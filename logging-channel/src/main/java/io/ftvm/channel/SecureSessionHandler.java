package io.ftvm.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Establishes the session and guards it. With a pre-shared key it runs the mutual
 * challenge-response handshake and afterwards authenticates every frame in both directions (MAC).
 * Under mutual TLS the TLS layer below has already authenticated the peer's certificate and
 * protects every byte (encryption, integrity, no replay), so only the HELLOs are exchanged and the
 * peer's HELLO must claim the node its certificate names. Inbound it turns raw frame bodies into
 * {@link Frame}s (only once the session is established); outbound it turns {@link Frame}s into
 * bodies (MAC-protected in PSK mode).
 */
final class SecureSessionHandler extends ChannelDuplexHandler {
  private static final Logger log = LoggerFactory.getLogger(SecureSessionHandler.class);

  private enum State {
    AWAIT_HELLO,
    AWAIT_CHALLENGE,
    AWAIT_RESPONSE,
    ESTABLISHED,
    FAILED
  }

  private final Role localRole;
  private final NodeIdentity localIdentity;
  private final PreSharedKey psk;
  private final ChannelSecurity.MutualTls tls;
  private final Supplier<Long> localLogPosition;
  private final Duration handshakeTimeout;
  private final SecureRandom random;
  private final FrameCodec codec = new FrameCodec();

  private State state = State.AWAIT_HELLO;
  private byte[] localHelloBody;
  private byte[] peerHelloBody;
  private Frame.Hello peerHello;
  private byte[] localNonce;
  private byte[] peerNonce;
  private SessionCrypto.FrameMac outboundMac;
  private SessionCrypto.FrameMac inboundMac;
  private ScheduledFuture<?> handshakeTimer;
  private ChannelHandlerContext context;

  SecureSessionHandler(
      Role localRole,
      NodeIdentity localIdentity,
      ChannelSecurity security,
      Supplier<Long> localLogPosition,
      Duration handshakeTimeout,
      SecureRandom random) {
    this.localRole = localRole;
    this.localIdentity = localIdentity;
    this.psk = security instanceof ChannelSecurity.PreShared preShared ? preShared.key() : null;
    this.tls = security instanceof ChannelSecurity.MutualTls mutual ? mutual : null;
    this.localLogPosition = localLogPosition;
    this.handshakeTimeout = handshakeTimeout;
    this.random = random;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    context = ctx;
  }

  /** Lets the application end an established session with a reason the peer will see. */
  void reject(ErrorCode code, String reason) {
    if (context.executor().inEventLoop()) {
      fail(context, code, reason);
    } else {
      context.executor().execute(() -> fail(context, code, reason));
    }
  }

  boolean isEstablished() {
    return state == State.ESTABLISHED;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (tls == null) {
      localNonce = new byte[FrameCodec.NONCE_BYTES];
      random.nextBytes(localNonce);
      sendHello(ctx);
      ctx.writeAndFlush(codec.encode(new Frame.AuthChallenge(localNonce), ctx.alloc()));
    } // under TLS the HELLO waits for the TLS handshake (userEventTriggered)
    handshakeTimer =
        ctx.executor()
            .schedule(
                () ->
                    fail(
                        ctx,
                        ErrorCode.HANDSHAKE_TIMEOUT,
                        "handshake with "
                            + ctx.channel().remoteAddress()
                            + " not completed within "
                            + handshakeTimeout.toMillis()
                            + " ms"),
                handshakeTimeout.toNanos(),
                TimeUnit.NANOSECONDS);
    super.channelActive(ctx);
  }

  private void sendHello(ChannelHandlerContext ctx) {
    Frame.Hello hello =
        new Frame.Hello(
            FrameCodec.PROTOCOL_VERSION, localRole, localIdentity, localLogPosition.get());
    ByteBuf helloBody = codec.encode(hello, ctx.alloc());
    localHelloBody = ByteBufUtil.getBytes(helloBody);
    ctx.writeAndFlush(helloBody);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof SslHandshakeCompletionEvent completion && tls != null) {
      if (completion.isSuccess()) {
        if (state == State.AWAIT_HELLO) {
          sendHello(ctx);
        }
      } else {
        failTls(ctx, completion.cause());
      }
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelHandshakeTimer();
    if (state != State.FAILED) {
      State previous = state;
      state = State.FAILED;
      ctx.fireUserEventTriggered(
          new SessionEvent.Failed(
              ErrorCode.SHUTDOWN,
              previous == State.ESTABLISHED
                  ? "connection closed"
                  : "connection closed during handshake (state " + previous + ")",
              false));
    }
    super.channelInactive(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf body = (ByteBuf) msg;
    try {
      switch (state) {
        case FAILED -> {}
        case ESTABLISHED -> readAuthenticated(ctx, body);
        default -> readHandshake(ctx, body);
      }
    } catch (ProtocolException e) {
      fail(ctx, e.code(), e.getMessage());
    } finally {
      body.release();
    }
  }

  private void readAuthenticated(ChannelHandlerContext ctx, ByteBuf body) {
    if (tls != null) {
      deliver(ctx, codec.decode(body.duplicate()));
      return;
    }
    long sequence = inboundMac.sequence();
    if (body.readableBytes() < 1 + SessionCrypto.MAC_BYTES) {
      throw new ProtocolException(
          ErrorCode.BAD_MAC,
          "frame #" + sequence + " of " + body.readableBytes() + " bytes is too short for a MAC");
    }
    int contentLength = body.readableBytes() - SessionCrypto.MAC_BYTES;
    ByteBuf content = body.slice(body.readerIndex(), contentLength);
    byte[] expected = inboundMac.next(content);
    byte[] actual = new byte[SessionCrypto.MAC_BYTES];
    body.getBytes(body.readerIndex() + contentLength, actual);
    if (!SessionCrypto.proofMatches(expected, actual)) {
      throw new ProtocolException(
          ErrorCode.BAD_MAC,
          "frame #"
              + sequence
              + " from "
              + ctx.channel().remoteAddress()
              + " failed MAC verification (tampered, replayed, reordered or injected)");
    }
    deliver(ctx, codec.decode(content));
  }

  private void deliver(ChannelHandlerContext ctx, Frame frame) {
    if (frame instanceof Frame.Error error) {
      peerReportedError(ctx, error);
      return;
    }
    if (frame.type().allowedBeforeAuthentication()) {
      throw new ProtocolException(
          ErrorCode.MALFORMED_FRAME, frame.type() + " frame after the handshake completed");
    }
    ctx.fireChannelRead(frame);
  }

  private void readHandshake(ChannelHandlerContext ctx, ByteBuf body) {
    Frame frame = decodeHandshakeFrame(body);
    if (frame instanceof Frame.Error error) {
      peerReportedError(ctx, error);
      return;
    }
    switch (state) {
      case AWAIT_HELLO -> onHello(ctx, expect(frame, Frame.Hello.class), body);
      case AWAIT_CHALLENGE -> onChallenge(ctx, expect(frame, Frame.AuthChallenge.class));
      case AWAIT_RESPONSE -> onResponse(ctx, expect(frame, Frame.AuthResponse.class));
      default -> throw new IllegalStateException("unexpected state " + state);
    }
  }

  private Frame decodeHandshakeFrame(ByteBuf body) {
    if (!body.isReadable()) {
      throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "empty frame during handshake");
    }
    FrameType type = FrameType.fromWire(body.getUnsignedByte(body.readerIndex()));
    if (!type.allowedBeforeAuthentication()) {
      throw new ProtocolException(
          ErrorCode.NOT_AUTHENTICATED,
          type + " frame received before authentication completed (state " + state + ")");
    }
    return codec.decode(body.duplicate());
  }

  private <T extends Frame> T expect(Frame frame, Class<T> expected) {
    if (!expected.isInstance(frame)) {
      throw new ProtocolException(
          ErrorCode.NOT_AUTHENTICATED,
          "handshake out of order: expected "
              + expected.getSimpleName()
              + " in state "
              + state
              + ", got "
              + frame.type());
    }
    return expected.cast(frame);
  }

  private void onHello(ChannelHandlerContext ctx, Frame.Hello hello, ByteBuf body) {
    if (hello.role() == localRole) {
      throw new ProtocolException(
          ErrorCode.IDENTITY_MISMATCH,
          "peer " + hello.identity().nodeId() + " also claims role " + hello.role());
    }
    peerHello = hello;
    peerHelloBody = ByteBufUtil.getBytes(body, body.readerIndex(), body.readableBytes());
    if (tls != null) {
      requireCertificateNamesHelloNode(ctx, hello);
      establish(ctx, "certificate of node " + tls.expectedPeerNodeId() + ", TLS 1.3");
      return;
    }
    state = State.AWAIT_CHALLENGE;
  }

  /** The TLS layer verified the certificate names the configured peer; the HELLO must agree. */
  private void requireCertificateNamesHelloNode(ChannelHandlerContext ctx, Frame.Hello hello) {
    String claimed = hello.identity().nodeId();
    if (!claimed.equals(tls.expectedPeerNodeId())) {
      throw new ProtocolException(
          ErrorCode.IDENTITY_MISMATCH,
          "peer "
              + ctx.channel().remoteAddress()
              + " presented the certificate of node '"
              + tls.expectedPeerNodeId()
              + "' but its HELLO claims node '"
              + claimed
              + "'");
    }
  }

  private void onChallenge(ChannelHandlerContext ctx, Frame.AuthChallenge challenge) {
    peerNonce = challenge.nonce();
    byte[] proof = SessionCrypto.proof(psk, localRole, transcript());
    ctx.writeAndFlush(codec.encode(new Frame.AuthResponse(proof), ctx.alloc()));
    byte[] primaryNonce = localRole == Role.PRIMARY ? localNonce : peerNonce;
    byte[] backupNonce = localRole == Role.PRIMARY ? peerNonce : localNonce;
    outboundMac =
        new SessionCrypto.FrameMac(
            SessionCrypto.directionKey(psk, primaryNonce, backupNonce, localRole), localRole);
    inboundMac =
        new SessionCrypto.FrameMac(
            SessionCrypto.directionKey(psk, primaryNonce, backupNonce, localRole.peer()),
            localRole.peer());
    state = State.AWAIT_RESPONSE;
  }

  private void onResponse(ChannelHandlerContext ctx, Frame.AuthResponse response) {
    byte[] expected = SessionCrypto.proof(psk, localRole.peer(), transcript());
    if (!SessionCrypto.proofMatches(expected, response.proof())) {
      throw new ProtocolException(
          ErrorCode.AUTH_FAILED,
          "peer "
              + ctx.channel().remoteAddress()
              + " (claims node "
              + peerHello.identity().nodeId()
              + ") failed the challenge: wrong pre-shared key");
    }
    establish(ctx, "pre-shared key");
  }

  private void establish(ChannelHandlerContext ctx, String authenticatedBy) {
    cancelHandshakeTimer();
    state = State.ESTABLISHED;
    NodeIdentity peer = peerHello.identity();
    if (!peer.vmId().equals(localIdentity.vmId()) || peer.epoch() != localIdentity.epoch()) {
      throw new ProtocolException(
          ErrorCode.IDENTITY_MISMATCH,
          "peer "
              + peer.nodeId()
              + " protects vm "
              + peer.vmId()
              + " epoch "
              + peer.epoch()
              + ", this node protects vm "
              + localIdentity.vmId()
              + " epoch "
              + localIdentity.epoch());
    }
    log.info(
        "Authenticated session with {} (node {}, {}, vm {}, epoch {}, by {})",
        ctx.channel().remoteAddress(),
        peer.nodeId(),
        peerHello.role(),
        peer.vmId(),
        peer.epoch(),
        authenticatedBy);
    ctx.fireUserEventTriggered(new SessionEvent.Established(peerHello));
  }

  private byte[] transcript() {
    boolean primary = localRole == Role.PRIMARY;
    return SessionCrypto.concat(
        primary ? localHelloBody : peerHelloBody,
        primary ? peerHelloBody : localHelloBody,
        primary ? localNonce : peerNonce,
        primary ? peerNonce : localNonce);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (!(msg instanceof Frame frame)) {
      ctx.write(msg, promise);
      return;
    }
    if (state != State.ESTABLISHED) {
      ReferenceCountUtil.release(msg);
      promise.setFailure(
          new IllegalStateException("cannot send " + frame.type() + ": session not established"));
      return;
    }
    ctx.write(seal(ctx, frame), promise);
  }

  private ByteBuf seal(ChannelHandlerContext ctx, Frame frame) {
    ByteBuf body = codec.encode(frame, ctx.alloc());
    if (tls != null) {
      return body; // TLS protects every record
    }
    byte[] mac = outboundMac.next(body);
    CompositeByteBuf sealed = ctx.alloc().compositeBuffer(3);
    sealed.addComponent(true, body);
    sealed.addComponent(true, ctx.alloc().buffer(mac.length).writeBytes(mac));
    return sealed;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException protocolError) {
      fail(ctx, protocolError.code(), protocolError.getMessage());
    } else if (cause.getCause() instanceof ProtocolException protocolError) {
      fail(ctx, protocolError.code(), protocolError.getMessage());
    } else if (tls != null && TlsFailures.isTlsFailure(cause)) {
      failTls(ctx, cause);
    } else {
      log.warn("Logging channel to {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      if (state != State.FAILED) {
        state = State.FAILED;
        ctx.fireUserEventTriggered(
            new SessionEvent.Failed(ErrorCode.INTERNAL, "I/O error: " + cause, false));
      }
      ctx.close();
    }
  }

  /** Sends an ERROR frame (authenticated if the peer can verify it), tells the app, closes. */
  void fail(ChannelHandlerContext ctx, ErrorCode code, String reason) {
    if (state == State.FAILED) {
      return;
    }
    boolean canSeal = state == State.ESTABLISHED;
    state = State.FAILED;
    cancelHandshakeTimer();
    log.warn(
        "Rejecting logging-channel peer {}: {} - {}", ctx.channel().remoteAddress(), code, reason);
    ctx.fireUserEventTriggered(new SessionEvent.Failed(code, reason, false));
    Frame.Error error = new Frame.Error(code, reason);
    ByteBuf out = canSeal ? seal(ctx, error) : codec.encode(error, ctx.alloc());
    if (ctx.channel().isActive()) {
      ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    } else {
      out.release();
      ctx.close();
    }
  }

  /** A TLS failure: nothing more can be said on this connection, so log, tell the app, close. */
  private void failTls(ChannelHandlerContext ctx, Throwable cause) {
    if (state == State.FAILED) {
      return;
    }
    boolean established = state == State.ESTABLISHED;
    state = State.FAILED;
    cancelHandshakeTimer();
    String reason = TlsFailures.describe(cause, established);
    log.warn(
        "Rejecting logging-channel peer {}: {} - {}",
        ctx.channel().remoteAddress(),
        ErrorCode.TLS_FAILED,
        reason);
    ctx.fireUserEventTriggered(new SessionEvent.Failed(ErrorCode.TLS_FAILED, reason, false));
    ctx.close();
  }

  private void peerReportedError(ChannelHandlerContext ctx, Frame.Error error) {
    state = State.FAILED;
    cancelHandshakeTimer();
    log.warn(
        "Logging-channel peer {} closed the session: {} - {}",
        ctx.channel().remoteAddress(),
        error.code(),
        error.message());
    ctx.fireUserEventTriggered(
        new SessionEvent.Failed(error.code(), "peer reported: " + error.message(), true));
    ctx.close();
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
      handshakeTimer = null;
    }
  }
}
