package io.ftvm.channel;

import java.nio.ByteBuffer;

/** Backup-side consumer of the log stream. */
public interface LogStreamListener extends ChannelListener {
  /**
   * Log bytes in stream order; every byte position is delivered exactly once. {@code data} is only
   * valid during the call (copy or write it before returning).
   */
  void onLog(long startPosition, ByteBuffer data);
}
