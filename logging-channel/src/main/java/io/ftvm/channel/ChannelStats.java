package io.ftvm.channel;

/**
 * A consistent-enough snapshot of one channel end for status output and metrics. Positions are
 * absolute log byte positions; RTTs are -1 until the first sample.
 */
public record ChannelStats(
    Role role,
    boolean sessionEstablished,
    boolean peerLost,
    long bytesSent,
    long bytesReceived,
    long logEndPosition,
    long sentPosition,
    long ackedPosition,
    long ackRttP50Nanos,
    long ackRttP99Nanos,
    long logBytesPerSecond,
    boolean throttled,
    long throttledNanos,
    long reconnects,
    long sessionsRejected) {}
