package io.ftvm.channel;

import io.netty.channel.Channel;

/** What an endpoint (sender or receiver) wants to hear from its channels; event-loop calls. */
interface SessionSink {
  void sessionEstablished(Channel channel, Frame.Hello peerHello);

  /** An authenticated application frame (LOG, ACK or CONTROL). */
  void frameReceived(Channel channel, Frame frame);

  void sessionFailed(Channel channel, SessionEvent.Failed failure);

  void writabilityChanged(Channel channel);

  /** Heartbeat content: (stream end, durable/acked) positions of this end. */
  long heartbeatStreamEnd();

  long heartbeatDurablePosition();
}
