package io.ftvm.channel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.LengthFieldPrepender;
import java.security.SecureRandom;
import java.util.function.Supplier;

/** Builds the handler chain shared by both ends: framing, authentication, endpoint. */
final class ChannelPipelines {
  private final Role role;
  private final NodeIdentity identity;
  private final PreSharedKey psk;
  private final ChannelSettings settings;
  private final SecureRandom random = new SecureRandom();

  ChannelPipelines(Role role, NodeIdentity identity, PreSharedKey psk, ChannelSettings settings) {
    this.role = role;
    this.identity = identity;
    this.psk = psk;
    this.settings = settings;
  }

  void install(Channel channel, Supplier<Long> helloPosition, SessionSink sink, Liveness liveness) {
    channel
        .pipeline()
        .addLast("frame-decoder", new FrameDecoder(settings.maxFrameSize()))
        .addLast("length-prepender", new LengthFieldPrepender(FrameDecoder.LENGTH_BYTES))
        .addLast(
            "secure-session",
            new SecureSessionHandler(
                role, identity, psk, helloPosition, settings.handshakeTimeout(), random))
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
