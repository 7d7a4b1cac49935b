package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private final FrameCodec codec = new FrameCodec();

  private Frame roundTrip(Frame frame) {
    ByteBuf body = codec.encode(frame, ByteBufAllocator.DEFAULT);
    try {
      return codec.decode(body);
    } finally {
      body.release();
    }
  }

  @Test
  void roundTripsEveryFrameType() {
    NodeIdentity id = new NodeIdentity("node-a", "vm-1", 7);
    assertThat(roundTrip(new Frame.Hello(1, Role.BACKUP, id, 123)))
        .isEqualTo(new Frame.Hello(1, Role.BACKUP, id, 123));
    assertThat(roundTrip(new Frame.Ack(99))).isEqualTo(new Frame.Ack(99));
    assertThat(roundTrip(new Frame.Heartbeat(5, 6, 7, 8)))
        .isEqualTo(new Frame.Heartbeat(5, 6, 7, 8));
    ControlMessage control = new ControlMessage(ControlType.END_OF_STREAM, 4096);
    assertThat(roundTrip(new Frame.Control(control))).isEqualTo(new Frame.Control(control));
    for (ControlType type : ControlType.values()) {
      ControlMessage message = new ControlMessage(type, 77);
      assertThat(roundTrip(new Frame.Control(message))).isEqualTo(new Frame.Control(message));
    }
    Frame.Error error = (Frame.Error) roundTrip(new Frame.Error(ErrorCode.LOG_GAP, "gap at 5"));
    assertThat(error.code()).isEqualTo(ErrorCode.LOG_GAP);
    assertThat(error.message()).isEqualTo("gap at 5");
    byte[] nonce = new byte[32];
    nonce[3] = 9;
    assertThat(((Frame.AuthChallenge) roundTrip(new Frame.AuthChallenge(nonce))).nonce())
        .isEqualTo(nonce);
    Frame.Log logFrame =
        (Frame.Log)
            roundTrip(
                new Frame.Log(
                    1L << 40, Unpooled.wrappedBuffer("abc".getBytes(StandardCharsets.US_ASCII))));
    try {
      assertThat(logFrame.startPosition()).isEqualTo(1L << 40);
      assertThat(logFrame.data().toString(StandardCharsets.US_ASCII)).isEqualTo("abc");
    } finally {
      logFrame.release();
    }
  }

  @Test
  void rejectsUnknownType() {
    assertThatThrownBy(() -> codec.decode(Unpooled.wrappedBuffer(new byte[] {0x7f, 0})))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unknown frame type 0x7f")
        .extracting(e -> ((ProtocolException) e).code())
        .isEqualTo(ErrorCode.UNKNOWN_FRAME_TYPE);
  }

  @Test
  void rejectsTruncatedAckWithOffset() {
    ByteBuf body = Unpooled.buffer().writeByte(FrameType.ACK.wireCode()).writeInt(1);
    assertThatThrownBy(() -> codec.decode(body))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining(
            "ACK frame truncated at body offset 1: need 8 bytes for position, have 4");
  }

  @Test
  void rejectsTrailingBytesAndNegativePositions() {
    ByteBuf trailing =
        Unpooled.buffer().writeByte(FrameType.ACK.wireCode()).writeLong(1).writeByte(0);
    assertThatThrownBy(() -> codec.decode(trailing))
        .hasMessageContaining("1 unexpected trailing bytes");
    ByteBuf negative = Unpooled.buffer().writeByte(FrameType.ACK.wireCode()).writeLong(-5);
    assertThatThrownBy(() -> codec.decode(negative)).hasMessageContaining("negative position -5");
  }

  @Test
  void rejectsForeignProtocolVersion() {
    ByteBuf body =
        codec.encode(
            new Frame.Hello(1, Role.PRIMARY, new NodeIdentity("a", "vm", 1), 0),
            ByteBufAllocator.DEFAULT);
    body.setShort(1, 9);
    assertThatThrownBy(() -> codec.decode(body))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("peer speaks protocol version 9");
    body.release();
  }

  @Test
  void decoderRejectsOversizedFrameBeforeBufferingIt() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(4096));
    ByteBuf header = Unpooled.buffer().writeInt(4097).writeByte(4);
    assertThatThrownBy(() -> channel.writeInbound(header))
        .isInstanceOf(DecoderException.class)
        .hasRootCauseInstanceOf(ProtocolException.class)
        .rootCause()
        .hasMessageContaining("frame at stream offset 0 declares length 4097, allowed 1..4096");
    channel.finishAndReleaseAll();
  }

  @Test
  void decoderReportsFrameCutOffByClose() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(4096));
    channel.writeInbound(Unpooled.buffer().writeInt(9).writeByte(5).writeLong(1));
    ByteBuf frame = channel.readInbound();
    assertThat(frame.readableBytes()).isEqualTo(9);
    frame.release();
    channel.writeInbound(Unpooled.buffer().writeInt(9).writeByte(5).writeShort(1));
    assertThatThrownBy(channel::finish)
        .rootCause()
        .hasMessageContaining("connection closed inside a frame at stream offset 13 (7 bytes");
  }

  @Test
  void reprotectAbortedKeepsItsWireCodeAndCarriesTheEpoch() {
    ByteBuf body =
        codec.encode(
            new Frame.Control(new ControlMessage(ControlType.REPROTECT_ABORTED, 2)),
            ByteBufAllocator.DEFAULT);
    try {
      assertThat(body.getUnsignedByte(0)).isEqualTo((short) FrameType.CONTROL.wireCode());
      assertThat(body.getUnsignedByte(1)).as("wire code of REPROTECT_ABORTED").isEqualTo((short) 5);
      assertThat(body.getLong(2)).as("epoch of the failed attempt").isEqualTo(2);
    } finally {
      body.release();
    }
  }

  @Test
  void reprotectAbortedPassesTheDecoderPipelineWhole() {
    EmbeddedChannel channel = new EmbeddedChannel(new FrameDecoder(4096));
    ByteBuf body =
        codec.encode(
            new Frame.Control(new ControlMessage(ControlType.REPROTECT_ABORTED, 9)),
            ByteBufAllocator.DEFAULT);
    ByteBuf wire = Unpooled.buffer().writeInt(body.readableBytes()).writeBytes(body);
    body.release();
    // Split inside the frame: the decoder must reassemble it.
    channel.writeInbound(wire.readRetainedSlice(3));
    channel.writeInbound(wire);
    ByteBuf frame = channel.readInbound();
    try {
      assertThat(codec.decode(frame))
          .isEqualTo(new Frame.Control(new ControlMessage(ControlType.REPROTECT_ABORTED, 9)));
    } finally {
      frame.release();
      channel.finishAndReleaseAll();
    }
  }

  @Test
  void anOldPeerGetsAClearErrorForAnUnknownControlType() {
    ByteBuf body = Unpooled.buffer().writeByte(FrameType.CONTROL.wireCode()).writeByte(99);
    body.writeLong(0);
    assertThatThrownBy(() -> codec.decode(body))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("unknown control type 99");
    body.release();
  }
}
