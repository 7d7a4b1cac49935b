package io.ftvm.channel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Converts frames to and from their body bytes (type byte + payload, without length prefix or MAC).
 * Stateless; the same instance may be shared.
 */
public final class FrameCodec {
  public static final int PROTOCOL_VERSION = 1;
  public static final int NONCE_BYTES = 32;
  public static final int PROOF_BYTES = 32;
  static final int LOG_HEADER_BYTES = 1 + Long.BYTES;
  static final int MAX_ERROR_MESSAGE_BYTES = 1024;

  /** Encodes a frame body. For LOG the data buffer is adopted (no copy) into the result. */
  public ByteBuf encode(Frame frame, ByteBufAllocator alloc) {
    if (frame instanceof Frame.Log log) {
      ByteBuf header = alloc.buffer(LOG_HEADER_BYTES);
      header.writeByte(FrameType.LOG.wireCode()).writeLong(log.startPosition());
      CompositeByteBuf body = alloc.compositeBuffer(2);
      body.addComponents(true, header, log.data());
      return body;
    }
    ByteBuf out = alloc.buffer(64);
    out.writeByte(frame.type().wireCode());
    if (frame instanceof Frame.Hello hello) {
      out.writeShort(hello.protocolVersion());
      out.writeByte(hello.role().wireCode());
      out.writeLong(hello.identity().epoch());
      out.writeLong(hello.logPosition());
      writeString(out, hello.identity().nodeId());
      writeString(out, hello.identity().vmId());
    } else if (frame instanceof Frame.AuthChallenge challenge) {
      out.writeBytes(challenge.nonce());
    } else if (frame instanceof Frame.AuthResponse response) {
      out.writeBytes(response.proof());
    } else if (frame instanceof Frame.Ack ack) {
      out.writeLong(ack.durablePosition());
    } else if (frame instanceof Frame.Heartbeat heartbeat) {
      out.writeLong(heartbeat.sequence());
      out.writeLong(heartbeat.senderNanos());
      out.writeLong(heartbeat.streamEnd());
      out.writeLong(heartbeat.durablePosition());
    } else if (frame instanceof Frame.Control control) {
      out.writeByte(control.message().type().wireCode());
      out.writeLong(control.message().position());
    } else if (frame instanceof Frame.Error error) {
      out.writeShort(error.code().wireCode());
      writeString(out, truncate(error.message()));
    }
    return out;
  }

  /**
   * Decodes a frame body. For LOG the returned frame holds a retained slice of {@code body}; the
   * caller still releases {@code body}.
   */
  public Frame decode(ByteBuf body) {
    if (!body.isReadable()) {
      throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "empty frame: no type byte");
    }
    FrameType type = FrameType.fromWire(body.readUnsignedByte());
    Frame frame =
        switch (type) {
          case HELLO -> decodeHello(body);
          case AUTH_CHALLENGE -> new Frame.AuthChallenge(readFixed(body, type, NONCE_BYTES));
          case AUTH_RESPONSE -> new Frame.AuthResponse(readFixed(body, type, PROOF_BYTES));
          case LOG -> {
            require(body, type, Long.BYTES, "start position");
            long start = readPosition(body, type);
            if (!body.isReadable()) {
              throw new ProtocolException(
                  ErrorCode.MALFORMED_FRAME, "LOG frame at position " + start + " carries no data");
            }
            yield new Frame.Log(start, body.readRetainedSlice(body.readableBytes()));
          }
          case ACK -> {
            require(body, type, Long.BYTES, "position");
            yield new Frame.Ack(readPosition(body, type));
          }
          case HEARTBEAT -> {
            require(body, type, 4 * Long.BYTES, "sequence, timestamp and positions");
            yield new Frame.Heartbeat(
                body.readLong(),
                body.readLong(),
                readPosition(body, type),
                readPosition(body, type));
          }
          case CONTROL -> {
            require(body, type, 1 + Long.BYTES, "control type and position");
            ControlType controlType = ControlType.fromWire(body.readUnsignedByte());
            yield new Frame.Control(new ControlMessage(controlType, readPosition(body, type)));
          }
          case ERROR -> {
            require(body, type, Short.BYTES, "error code");
            ErrorCode code = ErrorCode.fromWire(body.readUnsignedShort());
            yield new Frame.Error(code, readString(body, type, "message"));
          }
        };
    if (body.isReadable()) {
      frame = releaseAndFail(frame, type, body.readableBytes());
    }
    return frame;
  }

  private static Frame releaseAndFail(Frame frame, FrameType type, int trailing) {
    if (frame instanceof Frame.Log log) {
      log.release();
    }
    throw new ProtocolException(
        ErrorCode.MALFORMED_FRAME, type + " frame has " + trailing + " unexpected trailing bytes");
  }

  private static Frame.Hello decodeHello(ByteBuf body) {
    require(body, FrameType.HELLO, 2 + 1 + 8 + 8, "version, role, epoch and position");
    int version = body.readUnsignedShort();
    if (version != PROTOCOL_VERSION) {
      throw new ProtocolException(
          ErrorCode.VERSION_MISMATCH,
          "peer speaks protocol version " + version + ", this node speaks " + PROTOCOL_VERSION);
    }
    Role role = Role.fromWire(body.readUnsignedByte());
    long epoch = body.readLong();
    long position = readPosition(body, FrameType.HELLO);
    String nodeId = readString(body, FrameType.HELLO, "node id");
    String vmId = readString(body, FrameType.HELLO, "vm id");
    try {
      return new Frame.Hello(version, role, new NodeIdentity(nodeId, vmId, epoch), position);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "HELLO: " + e.getMessage());
    }
  }

  private static long readPosition(ByteBuf body, FrameType type) {
    int offset = body.readerIndex();
    long position = body.readLong();
    if (position < 0) {
      throw new ProtocolException(
          ErrorCode.MALFORMED_FRAME,
          type + " frame has negative position " + position + " at body offset " + offset);
    }
    return position;
  }

  private static byte[] readFixed(ByteBuf body, FrameType type, int length) {
    require(body, type, length, length + "-byte value");
    byte[] bytes = new byte[length];
    body.readBytes(bytes);
    return bytes;
  }

  private static void require(ByteBuf body, FrameType type, int length, String what) {
    if (body.readableBytes() < length) {
      throw new ProtocolException(
          ErrorCode.MALFORMED_FRAME,
          type
              + " frame truncated at body offset "
              + body.readerIndex()
              + ": need "
              + length
              + " bytes for "
              + what
              + ", have "
              + body.readableBytes());
    }
  }

  private static void writeString(ByteBuf out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.writeShort(bytes.length);
    out.writeBytes(bytes);
  }

  private static String readString(ByteBuf body, FrameType type, String what) {
    require(body, type, Short.BYTES, what + " length");
    int length = body.readUnsignedShort();
    require(body, type, length, what);
    return body.readCharSequence(length, StandardCharsets.UTF_8).toString();
  }

  private static String truncate(String message) {
    String text = message == null ? "" : message;
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_ERROR_MESSAGE_BYTES) {
      return text;
    }
    return new String(bytes, 0, MAX_ERROR_MESSAGE_BYTES, StandardCharsets.UTF_8);
  }
}
