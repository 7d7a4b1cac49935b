package io.ftvm.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Builds the handler chain shared by both ends: TLS (in {@link ChannelSecurity.MutualTls} mode),
 * framing, session authentication, endpoint. The frame codec runs above TLS unchanged.
 */
final class ChannelPipelines {
  static final String TLS_PROTOCOL = "TLSv1.3";

  private final Role role;
  private final NodeIdentity identity;
  private final ChannelSecurity security;
  private final ChannelSettings settings;
  private final SslContext tls;
  private final SecureRandom random = new SecureRandom();

  ChannelPipelines(Role role, NodeIdentity identity, PreSharedKey psk, ChannelSettings settings) {
    this(role, identity, ChannelSecurity.preShared(psk), settings);
  }

  ChannelPipelines(
      Role role, NodeIdentity identity, ChannelSecurity security, ChannelSettings settings) {
    this.role = role;
    this.identity = identity;
    this.security = security;
    this.settings = settings;
    this.tls =
        security instanceof ChannelSecurity.MutualTls mutual ? tlsContext(role, mutual) : null;
  }

  /**
   * The backup accepts (TLS server, client certificate REQUIRED), the primary connects (TLS
   * client). Both trust only the pair's CA and only the configured peer's name; TLS 1.3 only.
   */
  private static SslContext tlsContext(Role role, ChannelSecurity.MutualTls mutual) {
    TlsCredentials credentials = mutual.credentials();
    PeerCertificateVerifier verifier =
        new PeerCertificateVerifier(
            credentials.caCertificate(), mutual.expectedPeerNodeId(), Instant::now);
    SslContextBuilder builder =
        role == Role.BACKUP
            ? SslContextBuilder.forServer(credentials.privateKey(), credentials.certificate())
                .clientAuth(ClientAuth.REQUIRE)
            : SslContextBuilder.forClient()
                .keyManager(credentials.privateKey(), credentials.certificate());
    try {
      return builder
          .sslProvider(SslProvider.JDK)
          .protocols(TLS_PROTOCOL)
          .trustManager(verifier)
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for the logging channel: " + e, e);
    }
  }

  void install(Channel channel, Supplier<Long> helloPosition, SessionSink sink, Liveness liveness) {
    if (tls != null) {
      SslHandler handler = tls.newHandler(channel.alloc());
      handler.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
      channel.pipeline().addLast("tls", handler);
    }
    channel
        .pipeline()
        .addLast("frame-decoder", new FrameDecoder(settings.maxFrameSize()))
        .addLast("length-prepender", new LengthFieldPrepender(FrameDecoder.LENGTH_BYTES))
        .addLast(
            "secure-session",
            new SecureSessionHandler(
                role, identity, security, helloPosition, settings.handshakeTimeout(), random))
        .addLast("endpoint", new EndpointHandler(sink, liveness, settings));
  }

  ChannelInitializer<Channel> initializer(
      Supplier<Long> helloPosition, SessionSink sink, Liveness liveness) {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel channel) {
        install(channel, helloPosition, sink, liveness);
      }
    };
  }
}
