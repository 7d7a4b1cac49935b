package io.ftvm.replay;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/** Crafts replay logs byte by byte the way replay_put_* would (big-endian). */
final class ReplayLogBuilder {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final List<ReplayEvent> expected = new ArrayList<>();
  private long eventStart = -1;
  private EventKind eventKind;
  private long eventArgument;

  static ReplayLogBuilder withHeader() {
    return new ReplayLogBuilder().header(ReplayLogFormat.REPLAY_VERSION);
  }

  ReplayLogBuilder header(int version) {
    dword(version);
    qword(0);
    return this;
  }

  ReplayLogBuilder byte8(int b) {
    out.write(b);
    return this;
  }

  ReplayLogBuilder word(int w) {
    return byte8(w >>> 8).byte8(w);
  }

  ReplayLogBuilder dword(long d) {
    return word((int) (d >>> 16) & 0xffff).word((int) d & 0xffff);
  }

  ReplayLogBuilder qword(long q) {
    return dword(q >>> 32).dword(q & 0xffffffffL);
  }

  ReplayLogBuilder array(int length) {
    dword(length);
    for (int i = 0; i < length; i++) {
      out.write(i * 7 + 1);
    }
    return this;
  }

  /** Starts an event; the previous one is closed. */
  ReplayLogBuilder event(EventKind kind) {
    return event(kind, 0);
  }

  ReplayLogBuilder event(EventKind kind, long argument) {
    closeEvent();
    eventStart = out.size();
    eventKind = kind;
    eventArgument = argument;
    return byte8(kind.code());
  }

  ReplayLogBuilder instructions(long count) {
    return event(EventKind.INSTRUCTION, count).dword(count);
  }

  ReplayLogBuilder clock(EventKind kind, long value) {
    return event(kind, value).qword(value);
  }

  private void closeEvent() {
    if (eventStart >= 0) {
      expected.add(
          new ReplayEvent(eventStart, (int) (out.size() - eventStart), eventKind, eventArgument));
      eventStart = -1;
    }
  }

  List<ReplayEvent> expectedEvents() {
    closeEvent();
    return List.copyOf(expected);
  }

  byte[] bytes() {
    closeEvent();
    return out.toByteArray();
  }

  /** One example of every event kind with every sub-format, ending with END. */
  static ReplayLogBuilder everyKind() {
    ReplayLogBuilder b = withHeader();
    b.clock(EventKind.CLOCK_VIRTUAL_RT, 0);
    b.event(EventKind.CHECKPOINT_INIT);
    b.clock(EventKind.CLOCK_HOST, 1_700_000_000_000_000_000L);
    b.instructions(12345);
    b.event(EventKind.INTERRUPT);
    b.instructions(Integer.MAX_VALUE);
    b.event(EventKind.EXCEPTION);
    b.event(EventKind.ASYNC_BH, 777).qword(777);
    b.event(EventKind.ASYNC_BH_ONESHOT, 778).qword(778);
    b.event(EventKind.ASYNC_INPUT, ReplayLogFormat.INPUT_KIND_KEY)
        .dword(ReplayLogFormat.INPUT_KIND_KEY)
        .dword(ReplayLogFormat.KEY_VALUE_NUMBER)
        .qword(30)
        .byte8(1);
    b.event(EventKind.ASYNC_INPUT, ReplayLogFormat.INPUT_KIND_KEY)
        .dword(ReplayLogFormat.INPUT_KIND_KEY)
        .dword(ReplayLogFormat.KEY_VALUE_QCODE)
        .dword(17)
        .byte8(0);
    b.event(EventKind.ASYNC_INPUT, ReplayLogFormat.INPUT_KIND_BTN)
        .dword(ReplayLogFormat.INPUT_KIND_BTN)
        .dword(2)
        .byte8(1);
    b.event(EventKind.ASYNC_INPUT, ReplayLogFormat.INPUT_KIND_REL)
        .dword(ReplayLogFormat.INPUT_KIND_REL)
        .dword(0)
        .qword(-5);
    b.event(EventKind.ASYNC_INPUT, ReplayLogFormat.INPUT_KIND_ABS)
        .dword(ReplayLogFormat.INPUT_KIND_ABS)
        .dword(1)
        .qword(32767);
    b.event(EventKind.ASYNC_INPUT, ReplayLogFormat.INPUT_KIND_MTT)
        .dword(ReplayLogFormat.INPUT_KIND_MTT)
        .dword(1)
        .qword(0)
        .qword(42)
        .dword(0)
        .qword(100);
    b.event(EventKind.ASYNC_INPUT_SYNC);
    b.event(EventKind.ASYNC_CHAR_READ).byte8(0).array(5);
    b.event(EventKind.ASYNC_BLOCK, 3).qword(3);
    b.event(EventKind.ASYNC_NET).byte8(0).dword(0).array(60);
    b.event(EventKind.ASYNC_NET).byte8(1).dword(1).array(0);
    for (int code = ReplayLogFormat.EVENT_SHUTDOWN;
        code <= ReplayLogFormat.EVENT_SHUTDOWN_LAST;
        code++) {
      b.event(EventKind.fromCodeOrNull(code));
    }
    b.event(EventKind.CHAR_WRITE).dword(1).dword(0);
    b.event(EventKind.CHAR_READ_ALL).array(3);
    b.event(EventKind.CHAR_READ_ALL_ERROR).dword(-11);
    b.event(EventKind.AUDIO_OUT).qword(512);
    b.event(EventKind.AUDIO_IN, 3)
        .qword(3)
        .qword(10)
        .qword(1)
        .qword(2)
        .qword(3)
        .qword(4)
        .qword(5)
        .qword(6);
    b.event(EventKind.AUDIO_IN, 0).qword(0).qword(10);
    b.event(EventKind.RANDOM).dword(0).array(16);
    for (int code = ReplayLogFormat.EVENT_CHECKPOINT;
        code <= ReplayLogFormat.EVENT_CHECKPOINT_LAST;
        code++) {
      b.event(EventKind.fromCodeOrNull(code));
    }
    b.clock(EventKind.CLOCK_HOST, 1_700_000_002_500_000_000L);
    b.clock(EventKind.CLOCK_VIRTUAL_RT, 2_500_000_000L);
    b.instructions(1);
    b.event(EventKind.SHUTDOWN_HOST_SIGNAL);
    b.event(EventKind.END);
    return b;
  }
}
