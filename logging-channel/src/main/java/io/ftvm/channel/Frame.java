package io.ftvm.channel;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;

/** Decoded frames of the logging-channel protocol (see README for the byte layout). */
public sealed interface Frame {
  FrameType type();

  /** Opening message of each side; {@code logPosition} is the backup's durable position. */
  record Hello(int protocolVersion, Role role, NodeIdentity identity, long logPosition)
      implements Frame {
    @Override
    public FrameType type() {
      return FrameType.HELLO;
    }
  }

  record AuthChallenge(byte[] nonce) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.AUTH_CHALLENGE;
    }
  }

  record AuthResponse(byte[] proof) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.AUTH_RESPONSE;
    }
  }

  /** Log bytes starting at an absolute stream position; the frame owns {@code data}. */
  record Log(long startPosition, ByteBuf data) implements Frame, ReferenceCounted {
    @Override
    public FrameType type() {
      return FrameType.LOG;
    }

    public long endPosition() {
      return startPosition + data.readableBytes();
    }

    @Override
    public int refCnt() {
      return data.refCnt();
    }

    @Override
    public Log retain() {
      data.retain();
      return this;
    }

    @Override
    public Log retain(int increment) {
      data.retain(increment);
      return this;
    }

    @Override
    public Log touch() {
      data.touch();
      return this;
    }

    @Override
    public Log touch(Object hint) {
      data.touch(hint);
      return this;
    }

    @Override
    public boolean release() {
      return data.release();
    }

    @Override
    public boolean release(int decrement) {
      return data.release(decrement);
    }
  }

  /** The backup has made every byte before {@code durablePosition} durable. */
  record Ack(long durablePosition) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.ACK;
    }
  }

  /**
   * Liveness plus status: the primary reports (offered end, acked), the backup (received end,
   * durable).
   */
  record Heartbeat(long sequence, long senderNanos, long streamEnd, long durablePosition)
      implements Frame {
    @Override
    public FrameType type() {
      return FrameType.HEARTBEAT;
    }
  }

  record Control(ControlMessage message) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.CONTROL;
    }
  }

  record Error(ErrorCode code, String message) implements Frame {
    @Override
    public FrameType type() {
      return FrameType.ERROR;
    }
  }
}
