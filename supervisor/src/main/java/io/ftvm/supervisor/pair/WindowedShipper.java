package io.ftvm.supervisor.pair;

import io.ftvm.channel.LogStreamSender;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * Ships to the backup and blocks while the flow-control window is closed, for as long as the node
 * is still a protected primary (a peer-lost decision must not wait behind a full window).
 */
final class WindowedShipper implements LogShipper {
  private static final Duration WAIT_SLICE = Duration.ofMillis(100);
  private final LogStreamSender sender;
  private final RoleStateMachine roles;

  WindowedShipper(LogStreamSender sender, RoleStateMachine roles) {
    this.sender = sender;
    this.roles = roles;
  }

  @Override
  public void ship(long startPosition, ByteBuffer chunk) throws InterruptedException {
    long end = startPosition + chunk.remaining();
    sender.offer(startPosition, chunk);
    while (!sender.awaitWindow(end, WAIT_SLICE)) {
      NodeRole role = roles.role();
      if (role != NodeRole.PRIMARY_PROTECTED && role != NodeRole.STARTING) {
        return;
      }
    }
  }
}
