package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class StreamingEventParserTest {

  private static List<ReplayEvent> parseAll(byte[] log, ParserOptions options)
      throws ReplayLogException {
    List<ReplayEvent> events = new ArrayList<>();
    StreamingEventParser parser =
        new StreamingEventParser(options, ReplayEventListener.of(events::add));
    parser.feed(log);
    parser.endOfStream();
    return events;
  }

  @Test
  void parsesEveryKindWithItsExactLength() throws Exception {
    ReplayLogBuilder builder = ReplayLogBuilder.everyKind();
    byte[] log = builder.bytes();

    List<ReplayEvent> events = parseAll(log, ParserOptions.strict());

    assertThat(events).containsExactlyElementsOf(builder.expectedEvents());
    assertThat(events.get(events.size() - 1).end()).isEqualTo(log.length);
  }

  @Test
  void everyKindIsCovered() throws Exception {
    ReplayLogBuilder builder = ReplayLogBuilder.everyKind();
    StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
    parser.feed(builder.bytes());
    for (EventKind kind : EventKind.values()) {
      assertThat(parser.count(kind)).as(kind.name()).isPositive();
    }
  }

  @Test
  void payloadSizesMatchTheQemuSource() throws Exception {
    ReplayLogBuilder builder = ReplayLogBuilder.everyKind();
    List<ReplayEvent> events = parseAll(builder.bytes(), ParserOptions.strict());
    assertThat(sizeOf(events, EventKind.INSTRUCTION)).containsOnly(4);
    assertThat(sizeOf(events, EventKind.CLOCK_HOST)).containsOnly(8);
    assertThat(sizeOf(events, EventKind.ASYNC_BH)).containsOnly(8);
    assertThat(sizeOf(events, EventKind.ASYNC_BLOCK)).containsOnly(8);
    // key/number, key/qcode, btn, rel, abs, mtt
    assertThat(sizeOf(events, EventKind.ASYNC_INPUT)).containsExactly(17, 13, 9, 16, 16, 36);
    assertThat(sizeOf(events, EventKind.ASYNC_INPUT_SYNC)).containsOnly(0);
    assertThat(sizeOf(events, EventKind.ASYNC_CHAR_READ)).containsOnly(1 + 4 + 5);
    assertThat(sizeOf(events, EventKind.ASYNC_NET)).containsExactly(1 + 4 + 4 + 60, 9);
    assertThat(sizeOf(events, EventKind.CHAR_WRITE)).containsOnly(8);
    assertThat(sizeOf(events, EventKind.CHAR_READ_ALL)).containsOnly(4 + 3);
    assertThat(sizeOf(events, EventKind.CHAR_READ_ALL_ERROR)).containsOnly(4);
    assertThat(sizeOf(events, EventKind.AUDIO_OUT)).containsOnly(8);
    assertThat(sizeOf(events, EventKind.AUDIO_IN)).containsExactly(16 + 3 * 16, 16);
    assertThat(sizeOf(events, EventKind.RANDOM)).containsOnly(4 + 4 + 16);
    assertThat(sizeOf(events, EventKind.CHECKPOINT_INIT)).containsOnly(0);
    assertThat(sizeOf(events, EventKind.END)).containsOnly(0);
  }

  private static List<Integer> sizeOf(List<ReplayEvent> events, EventKind kind) {
    return events.stream().filter(e -> e.kind() == kind).map(ReplayEvent::payloadSize).toList();
  }

  @Test
  void countsInstructionsBytesAndClockSpan() throws Exception {
    byte[] log = ReplayLogBuilder.everyKind().bytes();
    StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
    parser.feed(log);
    parser.endOfStream();

    LogStats stats = parser.stats();
    assertThat(stats.instructions()).isEqualTo(12345L + Integer.MAX_VALUE + 1);
    assertThat(stats.endSeen()).isTrue();
    assertThat(stats.bytesSeen()).isEqualTo(log.length).isEqualTo(stats.lastCompleteBoundary());
    assertThat(stats.durationSeconds()).isEqualTo(2.5);
    long perKindBytes = stats.perKind().values().stream().mapToLong(k -> k.bytes()).sum();
    assertThat(perKindBytes + ReplayLogFormat.HEADER_SIZE).isEqualTo(log.length);
    assertThat(stats.render())
        .contains("ends with END")
        .contains("ASYNC_EVENT_NET")
        .contains("~2.500 s");
  }

  @Test
  void randomChunkSplitsYieldTheSameEventsAndBoundaries() throws Exception {
    byte[] log = ReplayLogBuilder.everyKind().bytes();
    List<ReplayEvent> reference = parseAll(log, ParserOptions.strict());
    long[] referenceEnds = reference.stream().mapToLong(ReplayEvent::end).toArray();
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      List<ReplayEvent> events = new ArrayList<>();
      StreamingEventParser parser =
          new StreamingEventParser(ParserOptions.strict(), ReplayEventListener.of(events::add));
      int offset = 0;
      while (offset < log.length) {
        int n = Math.min(log.length - offset, random.nextInt(round % 2 == 0 ? 3 : 40) + 1);
        long boundary = parser.feed(log, offset, n);
        offset += n;
        assertThat(boundary).isLessThanOrEqualTo(offset);
        assertThat(
                boundary == 0
                    || boundary == 12
                    || Arrays.binarySearch(referenceEnds, boundary) >= 0)
            .as("boundary %d after %d bytes", boundary, offset)
            .isTrue();
        // the boundary is the LAST complete event: no complete event ends in (boundary, offset]
        long finalBoundary = boundary;
        final int fed = offset;
        assertThat(Arrays.stream(referenceEnds).filter(e -> e > finalBoundary && e <= fed))
            .isEmpty();
      }
      parser.endOfStream();
      assertThat(events).isEqualTo(reference);
    }
  }

  @Test
  void byteBufferFeedConsumesEverything() throws Exception {
    byte[] log = ReplayLogBuilder.everyKind().bytes();
    ByteBuffer direct = ByteBuffer.allocateDirect(log.length);
    direct.put(log).flip();
    StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
    assertThat(parser.feed(direct)).isEqualTo(log.length);
    assertThat(direct.hasRemaining()).isFalse();
  }

  @Test
  void unknownEventCodeIsCorruptWithOffsetAndPredecessor() throws Exception {
    byte[] log = ReplayLogBuilder.withHeader().instructions(10).byte8(0x7f).bytes();
    StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
    assertThatThrownBy(() -> parser.feed(log))
        .isInstanceOfSatisfying(
            ReplayLogException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(ReplayLogException.Reason.CORRUPT);
              assertThat(e.offset()).isEqualTo(17);
            })
        .hasMessage(
            "corrupt replay log at byte 17: unknown event code 0x7f after INSTRUCTION event");
    assertThat(parser.lastCompleteBoundary()).isEqualTo(17);
  }

  @Test
  void unknownFirstEventCode() {
    byte[] log = ReplayLogBuilder.withHeader().byte8(40).bytes();
    assertThatThrownBy(() -> parseAll(log, ParserOptions.strict()))
        .hasMessage("corrupt replay log at byte 12: unknown event code 0x28 as the first event");
  }

  @Test
  void parserStaysFailedAfterAnError() throws Exception {
    StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
    assertThatThrownBy(() -> parser.feed(ReplayLogBuilder.withHeader().byte8(0xff).bytes()))
        .isInstanceOf(ReplayLogException.class);
    assertThatThrownBy(() -> parser.feed(new byte[] {0x01}))
        .hasMessageContaining("unknown event code 0xff");
    assertThatThrownBy(parser::endOfStream).hasMessageContaining("unknown event code 0xff");
  }

  @Test
  void foreignVersionIsRejected() {
    byte[] log = new ReplayLogBuilder().header(0xe0200b).instructions(1).bytes();
    assertThatThrownBy(() -> parseAll(log, ParserOptions.strict()))
        .isInstanceOfSatisfying(
            ReplayLogException.class,
            e -> assertThat(e.reason()).isEqualTo(ReplayLogException.Reason.FOREIGN_VERSION))
        .hasMessage(
            "foreign replay log: version 0xe0200b (not QEMU 10.0), expected 0xe0200c (QEMU 10.0)");
  }

  @Test
  void nonReplayDataIsRejectedAsSuch() {
    byte[] elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0};
    assertThatThrownBy(() -> parseAll(elf, ParserOptions.strict()))
        .isInstanceOfSatisfying(
            ReplayLogException.class,
            e -> assertThat(e.reason()).isEqualTo(ReplayLogException.Reason.NOT_A_REPLAY_LOG))
        .hasMessageContaining("header starts with 0x7f454c46");
  }

  @Test
  void unfinalizedHeaderNeedsExplicitPermission() throws Exception {
    byte[] log = new ReplayLogBuilder().header(0).instructions(5).bytes();
    assertThatThrownBy(() -> parseAll(log, ParserOptions.strict()))
        .isInstanceOfSatisfying(
            ReplayLogException.class,
            e -> assertThat(e.reason()).isEqualTo(ReplayLogException.Reason.UNFINALIZED_HEADER))
        .hasMessageContaining("header version is 0");

    StreamingEventParser parser =
        new StreamingEventParser(ParserOptions.strict().withAllowUnfinalizedHeader(true));
    parser.feed(log);
    parser.endOfStream();
    assertThat(parser.headerUnfinalized()).isTrue();
    assertThat(parser.instructions()).isEqualTo(5);
    assertThat(parser.stats().render()).contains("UNFINALIZED");
  }

  @Test
  void truncatedHeader() {
    byte[] log = Arrays.copyOf(ReplayLogBuilder.withHeader().bytes(), 7);
    assertThatThrownBy(() -> parseAll(log, ParserOptions.strict()))
        .isInstanceOfSatisfying(
            ReplayLogException.class,
            e -> assertThat(e.reason()).isEqualTo(ReplayLogException.Reason.TRUNCATED))
        .hasMessage("truncated replay log: stream ends 7 bytes into the 12-byte header");
  }

  @Test
  void emptyStream() {
    assertThatThrownBy(() -> parseAll(new byte[0], ParserOptions.strict()))
        .hasMessage("truncated replay log: stream is empty");
  }

  @ParameterizedTest
  @EnumSource(
      value = EventKind.class,
      names = {
        "INSTRUCTION",
        "ASYNC_BH",
        "ASYNC_INPUT",
        "ASYNC_CHAR_READ",
        "ASYNC_NET",
        "CHAR_WRITE",
        "CHAR_READ_ALL",
        "AUDIO_IN",
        "RANDOM",
        "CLOCK_HOST"
      })
  void truncatedInsideEveryEventWithPayload(EventKind kind) throws Exception {
    ReplayLogBuilder builder = ReplayLogBuilder.everyKind();
    byte[] log = builder.bytes();
    ReplayEvent victim =
        builder.expectedEvents().stream().filter(e -> e.kind() == kind).findFirst().orElseThrow();
    for (int into = 1; into < victim.length(); into++) {
      byte[] cut = Arrays.copyOf(log, (int) victim.offset() + into);
      StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
      parser.feed(cut);
      assertThat(parser.lastCompleteBoundary()).isEqualTo(victim.offset());
      final int bytesInto = into;
      assertThatThrownBy(parser::endOfStream)
          .isInstanceOfSatisfying(
              ReplayLogException.class,
              e -> {
                assertThat(e.reason()).isEqualTo(ReplayLogException.Reason.TRUNCATED);
                assertThat(e.offset()).isEqualTo(cut.length);
              })
          .hasMessage(
              "truncated replay log: stream ends "
                  + bytesInto
                  + " bytes into "
                  + ("AEIOU".indexOf(kind.name().charAt(0)) >= 0 ? "an " : "a ")
                  + kind
                  + " event that started at byte "
                  + victim.offset());
    }
  }

  @Test
  void endingAfterACompleteEventWithoutEndIsNotTruncation() throws Exception {
    StreamingEventParser parser = new StreamingEventParser(ParserOptions.strict());
    parser.feed(ReplayLogBuilder.withHeader().instructions(3).bytes());
    parser.endOfStream();
    assertThat(parser.endSeen()).isFalse();
    assertThat(parser.atBoundary()).isTrue();
  }

  @Test
  void dataAfterEndIsCorrupt() {
    byte[] log = ReplayLogBuilder.withHeader().event(EventKind.END).instructions(1).bytes();
    assertThatThrownBy(() -> parseAll(log, ParserOptions.strict()))
        .hasMessage("corrupt replay log at byte 13: data byte 0x00 after the END event");
  }

  @Test
  void implausibleArrayLengthIsCorrupt() {
    byte[] log =
        ReplayLogBuilder.withHeader()
            .event(EventKind.ASYNC_NET)
            .byte8(0)
            .dword(0)
            .dword(0xdeadbeefL)
            .bytes();
    assertThatThrownBy(() -> parseAll(log, ParserOptions.strict()))
        .hasMessage(
            "corrupt replay log at byte 18: implausible ASYNC_NET payload length 3735928559"
                + " (limit 16777216) in event that started at byte 12");
  }

  @Test
  void impossibleInstructionCountsAreCorrupt() {
    assertThatThrownBy(
            () ->
                parseAll(
                    ReplayLogBuilder.withHeader().instructions(0).bytes(), ParserOptions.strict()))
        .hasMessageContaining("INSTRUCTION event with impossible count 0");
    assertThatThrownBy(
            () ->
                parseAll(
                    ReplayLogBuilder.withHeader().instructions(0x80000000L).bytes(),
                    ParserOptions.strict()))
        .hasMessageContaining("impossible count 2147483648");
  }

  @Test
  void unknownInputSubFormatsAreCorrupt() {
    byte[] badKind = ReplayLogBuilder.withHeader().event(EventKind.ASYNC_INPUT).dword(5).bytes();
    assertThatThrownBy(() -> parseAll(badKind, ParserOptions.strict()))
        .hasMessage(
            "corrupt replay log at byte 13: unknown input event kind 5 in INPUT event that started"
                + " at byte 12");
    byte[] badKey =
        ReplayLogBuilder.withHeader().event(EventKind.ASYNC_INPUT).dword(0).dword(2).bytes();
    assertThatThrownBy(() -> parseAll(badKey, ParserOptions.strict()))
        .hasMessageContaining("unknown key value kind 2");
  }
}
