package io.ftvm.channel;

/**
 * Session and liveness events common to both ends. Called on the channel's event loop ({@code
 * onPeerLost}: on its failure-detector thread): return quickly and never block, nor wait for locks
 * that normal-priority threads hold, since both threads may run under SCHED_RR.
 */
public interface ChannelListener extends PeerMonitor.Listener {
  default void onSessionEstablished(NodeIdentity peer, long peerLogPosition) {}

  /** A session was refused or ended, e.g. wrong key, bad MAC, gap, or a plain disconnect. */
  default void onSessionClosed(ErrorCode code, String reason, boolean reportedByPeer) {}

  default void onControl(ControlMessage message) {}

  @Override
  default void onPeerLost(String reason, long lastHeardNanos) {}

  @Override
  default void onPeerAlive() {}
}
