package io.ftvm.channel;

/**
 * A consistent-enough snapshot of one channel end for status output and metrics. Positions are
 * absolute log byte positions; RTTs and heartbeat-gap percentiles are -1 until the first sample.
 * Heartbeat gaps are between arrivals at this end; the peer-send gap is the same measured on the
 * peer's stamps (what the peer itself caused); the local stall is how late this end's detector or
 * event loop ran (what detection discounts).
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
    long sessionsRejected,
    long maxHeartbeatGapNanos,
    long heartbeatGapP999Nanos,
    long maxPeerSendGapNanos,
    long maxLocalStallNanos) {}
