package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventKindTest {

  @Test
  void codeTableMatchesQemu10EnumArithmetic() {
    assertThat(ReplayLogFormat.EVENT_ASYNC).isEqualTo(3);
    assertThat(ReplayLogFormat.EVENT_ASYNC_LAST).isEqualTo(9);
    assertThat(ReplayLogFormat.EVENT_SHUTDOWN).isEqualTo(10);
    assertThat(ReplayLogFormat.EVENT_SHUTDOWN_LAST).isEqualTo(21);
    assertThat(ReplayLogFormat.EVENT_CHAR_WRITE).isEqualTo(22);
    assertThat(ReplayLogFormat.EVENT_RANDOM).isEqualTo(27);
    assertThat(ReplayLogFormat.EVENT_CLOCK).isEqualTo(28);
    assertThat(ReplayLogFormat.EVENT_CHECKPOINT).isEqualTo(30);
    assertThat(ReplayLogFormat.EVENT_CHECKPOINT_LAST).isEqualTo(38);
    assertThat(ReplayLogFormat.EVENT_END).isEqualTo(39);
    assertThat(ReplayLogFormat.EVENT_COUNT).isEqualTo(40).isEqualTo(EventKind.count());
  }

  @Test
  void enumCodesAgreeWithFormatConstants() {
    assertThat(EventKind.ASYNC_BH.code()).isEqualTo(ReplayLogFormat.EVENT_ASYNC);
    assertThat(EventKind.ASYNC_NET.code()).isEqualTo(ReplayLogFormat.EVENT_ASYNC_LAST);
    assertThat(EventKind.SHUTDOWN_NONE.code()).isEqualTo(ReplayLogFormat.EVENT_SHUTDOWN);
    assertThat(EventKind.SHUTDOWN_CAUSE_MAX.code()).isEqualTo(ReplayLogFormat.EVENT_SHUTDOWN_LAST);
    assertThat(EventKind.CHAR_WRITE.code()).isEqualTo(ReplayLogFormat.EVENT_CHAR_WRITE);
    assertThat(EventKind.CLOCK_HOST.code()).isEqualTo(ReplayLogFormat.EVENT_CLOCK);
    assertThat(EventKind.CLOCK_VIRTUAL_RT.code()).isEqualTo(ReplayLogFormat.EVENT_CLOCK_LAST);
    assertThat(EventKind.CHECKPOINT_CLOCK_WARP_START.code())
        .isEqualTo(ReplayLogFormat.EVENT_CHECKPOINT);
    assertThat(EventKind.CHECKPOINT_RESET.code()).isEqualTo(ReplayLogFormat.EVENT_CHECKPOINT_LAST);
    assertThat(EventKind.END.code()).isEqualTo(ReplayLogFormat.EVENT_END);
    for (EventKind kind : EventKind.values()) {
      assertThat(EventKind.fromCodeOrNull(kind.code())).isSameAs(kind);
    }
  }

  @Test
  void describeNamesKnownAndUnknownCodes() {
    assertThat(ReplayLogFormat.describe(0x09))
        .isEqualTo("0x09 ASYNC_EVENT_NET: u8 net filter index, u32 flags, u32 length, frame bytes");
    assertThat(ReplayLogFormat.describe(0x1c)).startsWith("0x1c CLOCK_HOST: u64");
    assertThat(ReplayLogFormat.describe(0x7f)).contains("unknown to QEMU 10.0");
    assertThat(EventKind.fromCode(40)).isEmpty();
    assertThat(EventKind.fromCode(-1)).isEmpty();
  }
}
