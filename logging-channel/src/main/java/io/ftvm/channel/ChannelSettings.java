package io.ftvm.channel;

import java.time.Duration;

/**
 * Tunables of one logging channel. Defaults suit a LAN: 100 ms heartbeats, 1000 ms failure timeout
 * (chosen from measurement on a loaded 2-core host, see README "Defaults"), 1 MiB frames, 64 MiB /
 * 2 s flow-control window.
 */
public record ChannelSettings(
    int maxFrameSize,
    Duration heartbeatInterval,
    Duration failureTimeout,
    Duration handshakeTimeout,
    long maxUnackedBytes,
    Duration maxLag,
    Duration reconnectBackoffMin,
    Duration reconnectBackoffMax,
    MonotonicClock clock,
    ThreadPriority threadPriority) {
  public static final int MIN_FRAME_SIZE = 4096;

  public ChannelSettings {
    if (maxFrameSize < MIN_FRAME_SIZE) {
      throw new IllegalArgumentException(
          "maxFrameSize must be >= " + MIN_FRAME_SIZE + ", got " + maxFrameSize);
    }
    requirePositive("heartbeatInterval", heartbeatInterval);
    requirePositive("failureTimeout", failureTimeout);
    requirePositive("handshakeTimeout", handshakeTimeout);
    requirePositive("maxLag", maxLag);
    requirePositive("reconnectBackoffMin", reconnectBackoffMin);
    requirePositive("reconnectBackoffMax", reconnectBackoffMax);
    if (failureTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException(
          "failureTimeout ("
              + failureTimeout.toMillis()
              + " ms) must exceed heartbeatInterval ("
              + heartbeatInterval.toMillis()
              + " ms)");
    }
    if (maxUnackedBytes < maxFrameSize) {
      throw new IllegalArgumentException(
          "maxUnackedBytes ("
              + maxUnackedBytes
              + ") must be >= maxFrameSize ("
              + maxFrameSize
              + ")");
    }
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null");
    }
    if (threadPriority == null) {
      throw new IllegalArgumentException("threadPriority must not be null");
    }
  }

  public static ChannelSettings defaults() {
    return new ChannelSettings(
        1 << 20,
        Duration.ofMillis(100),
        Duration.ofMillis(1000),
        Duration.ofSeconds(5),
        64L << 20,
        Duration.ofSeconds(2),
        Duration.ofMillis(50),
        Duration.ofSeconds(2),
        MonotonicClock.system(),
        ThreadPriority.unchanged());
  }

  /** Largest log chunk one LOG frame can carry with these settings. */
  public int maxChunkBytes() {
    return maxFrameSize - FrameCodec.LOG_HEADER_BYTES - SessionCrypto.MAC_BYTES;
  }

  public ChannelSettings withMaxFrameSize(int value) {
    return new ChannelSettings(
        value,
        heartbeatInterval,
        failureTimeout,
        handshakeTimeout,
        maxUnackedBytes,
        maxLag,
        reconnectBackoffMin,
        reconnectBackoffMax,
        clock,
        threadPriority);
  }

  public ChannelSettings withHeartbeat(Duration interval, Duration timeout) {
    return new ChannelSettings(
        maxFrameSize,
        interval,
        timeout,
        handshakeTimeout,
        maxUnackedBytes,
        maxLag,
        reconnectBackoffMin,
        reconnectBackoffMax,
        clock,
        threadPriority);
  }

  public ChannelSettings withFlowControl(long unackedBytes, Duration lag) {
    return new ChannelSettings(
        maxFrameSize,
        heartbeatInterval,
        failureTimeout,
        handshakeTimeout,
        unackedBytes,
        lag,
        reconnectBackoffMin,
        reconnectBackoffMax,
        clock,
        threadPriority);
  }

  public ChannelSettings withHandshakeTimeout(Duration value) {
    return new ChannelSettings(
        maxFrameSize,
        heartbeatInterval,
        failureTimeout,
        value,
        maxUnackedBytes,
        maxLag,
        reconnectBackoffMin,
        reconnectBackoffMax,
        clock,
        threadPriority);
  }

  public ChannelSettings withReconnectBackoff(Duration min, Duration max) {
    return new ChannelSettings(
        maxFrameSize,
        heartbeatInterval,
        failureTimeout,
        handshakeTimeout,
        maxUnackedBytes,
        maxLag,
        min,
        max,
        clock,
        threadPriority);
  }

  public ChannelSettings withClock(MonotonicClock value) {
    return new ChannelSettings(
        maxFrameSize,
        heartbeatInterval,
        failureTimeout,
        handshakeTimeout,
        maxUnackedBytes,
        maxLag,
        reconnectBackoffMin,
        reconnectBackoffMax,
        value,
        threadPriority);
  }

  /** How the channel raises its detector and event-loop threads (see {@link ThreadPriority}). */
  public ChannelSettings withThreadPriority(ThreadPriority value) {
    return new ChannelSettings(
        maxFrameSize,
        heartbeatInterval,
        failureTimeout,
        handshakeTimeout,
        maxUnackedBytes,
        maxLag,
        reconnectBackoffMin,
        reconnectBackoffMax,
        clock,
        value);
  }

  private static void requirePositive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
    }
  }
}
