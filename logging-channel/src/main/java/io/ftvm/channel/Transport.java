package io.ftvm.channel;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/** Native epoll where available, NIO otherwise. */
final class Transport {
  private final boolean epoll = Epoll.isAvailable();

  /**
   * One event-loop thread per channel end: all stream state is confined to it, and the log rate
   * (KB/s to a few MB/s) is far below what one thread moves.
   */
  EventLoopGroup newGroup(String name) {
    DefaultThreadFactory threads = new DefaultThreadFactory(name, true);
    return epoll ? new EpollEventLoopGroup(1, threads) : new NioEventLoopGroup(1, threads);
  }

  Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  Class<? extends ServerSocketChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  static void shutdown(EventLoopGroup group) {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
