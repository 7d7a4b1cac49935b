package io.ftvm.channel;

/** User events the {@link SecureSessionHandler} fires up the pipeline. */
sealed interface SessionEvent {
  /** Both sides proved knowledge of the key and the peer's identity matches ours. */
  record Established(Frame.Hello peerHello) implements SessionEvent {}

  /**
   * The session was refused or torn down; {@code reportedByPeer} tells whether the peer sent the
   * error (then the code is only the peer's claim) or this side detected it.
   */
  record Failed(ErrorCode code, String reason, boolean reportedByPeer) implements SessionEvent {}
}
