package io.ftvm.channel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Splits the TCP byte stream at the 4-byte big-endian length prefix. Emits the frame body (type +
 * payload + optional MAC). A length of zero or above the configured maximum fails fast with a
 * {@link ProtocolException} before any of the body is buffered.
 */
final class FrameDecoder extends ByteToMessageDecoder {
  static final int LENGTH_BYTES = 4;
  private final int maxFrameSize;
  private long streamOffset;
  private boolean failed;

  FrameDecoder(int maxFrameSize) {
    this.maxFrameSize = maxFrameSize;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    while (in.readableBytes() >= LENGTH_BYTES) {
      long length = in.getUnsignedInt(in.readerIndex());
      if (length == 0 || length > maxFrameSize) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new ProtocolException(
            length == 0 ? ErrorCode.MALFORMED_FRAME : ErrorCode.FRAME_TOO_LARGE,
            "frame at stream offset "
                + streamOffset
                + " declares length "
                + length
                + ", allowed 1.."
                + maxFrameSize);
      }
      if (in.readableBytes() < LENGTH_BYTES + length) {
        return;
      }
      in.skipBytes(LENGTH_BYTES);
      out.add(in.readRetainedSlice((int) length));
      streamOffset += LENGTH_BYTES + length;
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    decode(ctx, in, out);
    if (!failed && in.isReadable()) {
      int leftover = in.readableBytes();
      in.skipBytes(leftover);
      failed = true;
      throw new ProtocolException(
          ErrorCode.MALFORMED_FRAME,
          "connection closed inside a frame at stream offset "
              + streamOffset
              + " ("
              + leftover
              + " bytes of an incomplete frame)");
    }
  }
}
