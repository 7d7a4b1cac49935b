package io.ftvm.supervisor.pair;

import io.ftvm.channel.ControlMessage;

/** This node's end of the logging channel, as the role transitions need it. */
interface PeerLink {

  /** Best effort; false if there is no session to the peer right now. */
  boolean send(ControlMessage message);

  /** Stops talking to the peer (it then stops hearing heartbeats from this node). */
  void disconnect();
}
