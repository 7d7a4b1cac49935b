package io.ftvm.supervisor.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class QmpStreamDecoderTest {
  private static final String GREETING =
      "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 13, \"minor\": 0, \"major\": 10},"
          + " \"package\": \"Debian 1:10.0.13+ds-0+deb13u1+ftvm1\"}, \"capabilities\": [\"oob\"]}}\r\n";
  private static final String TRICKY =
      "{\"return\": {\"text\": \"braces } { and \\\"quotes\\\" and \\\\\", \"list\": [{}, [1]]},"
          + " \"id\": 7}\r\n";
  private static final String EVENT =
      "{\"timestamp\": {\"seconds\": 1700000000, \"microseconds\": 5}, \"event\": \"STOP\"}\r\n";

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void decodesSeveralObjectsDeliveredInOneRead() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);

    List<JsonNode> messages = feed(decoder, GREETING + TRICKY + EVENT);

    assertThat(messages).hasSize(3);
    assertThat(messages.get(0).path("QMP").path("version").path("qemu").path("major").asInt())
        .isEqualTo(10);
    assertThat(messages.get(1).path("return").path("text").asText())
        .isEqualTo("braces } { and \"quotes\" and \\");
    assertThat(messages.get(2).path("event").asText()).isEqualTo("STOP");
    assertThat(decoder.hasPartialMessage()).isFalse();
  }

  @Test
  void decodesTheSameObjectsWhenEveryByteArrivesAlone() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);
    byte[] bytes = (GREETING + TRICKY + EVENT).getBytes(StandardCharsets.UTF_8);
    List<JsonNode> messages = new ArrayList<>();

    List<Integer> completedAt = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      List<JsonNode> completed = decoder.feed(bytes, i, 1);
      if (!completed.isEmpty()) {
        completedAt.add(i);
      }
      messages.addAll(completed);
    }

    int greetingEnd = GREETING.length() - 3;
    int trickyEnd = GREETING.length() + TRICKY.length() - 3;
    int eventEnd = bytes.length - 3;
    assertThat(completedAt).containsExactly(greetingEnd, trickyEnd, eventEnd);
    assertThat(messages).hasSize(3);
    assertThat(messages.get(1).path("id").asInt()).isEqualTo(7);
    assertThat(decoder.bytesConsumed()).isEqualTo(bytes.length);
  }

  @Test
  void keepsAMessageSplitInsideAStringOrEscapeUntilItCompletes() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);
    int cut = TRICKY.indexOf("\\\"") + 1; // right after the backslash of an escaped quote

    assertThat(feed(decoder, TRICKY.substring(0, cut))).isEmpty();
    assertThat(decoder.hasPartialMessage()).isTrue();
    List<JsonNode> rest = feed(decoder, TRICKY.substring(cut));

    assertThat(rest).hasSize(1);
    assertThat(rest.get(0).path("return").path("list")).hasSize(2);
  }

  @Test
  void decodesMultiByteUtf8SplitAcrossReads() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);
    byte[] bytes = "{\"data\": \"größe ✓\"}".getBytes(StandardCharsets.UTF_8);
    int cut = "{\"data\": \"gr".getBytes(StandardCharsets.UTF_8).length + 1; // inside 'ö'

    assertThat(decoder.feed(bytes, 0, cut)).isEmpty();
    List<JsonNode> messages = decoder.feed(bytes, cut, bytes.length - cut);

    assertThat(messages.get(0).path("data").asText()).isEqualTo("größe ✓");
  }

  @Test
  void rejectsTextOutsideAnObjectWithItsOffset() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);
    feed(decoder, EVENT);

    assertThatThrownBy(() -> feed(decoder, "  oops"))
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("expected '{'")
        .hasMessageContaining("'o'")
        .hasMessageContaining("offset " + (EVENT.length() + 2))
        .extracting(e -> ((QmpProtocolException) e).streamOffset())
        .isEqualTo((long) EVENT.length() + 2);
  }

  @Test
  void rejectsATopLevelArray() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);

    assertThatThrownBy(() -> feed(decoder, "[1, 2]"))
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("offset 0");
  }

  @Test
  void rejectsMalformedJsonInsideBracesNamingWhereTheMessageStarted() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper);
    feed(decoder, "{}\n");

    assertThatThrownBy(() -> feed(decoder, "{\"return\": }"))
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("malformed JSON")
        .hasMessageContaining("offset 3");
  }

  @Test
  void rejectsAMessageThatGrowsBeyondTheLimit() {
    QmpStreamDecoder decoder = new QmpStreamDecoder(mapper, 64);

    assertThatThrownBy(() -> feed(decoder, "{\"return\": \"" + "x".repeat(100) + "\"}"))
        .isInstanceOf(QmpProtocolException.class)
        .hasMessageContaining("exceeds 64 bytes");
  }

  private static List<JsonNode> feed(QmpStreamDecoder decoder, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return decoder.feed(bytes, 0, bytes.length);
  }
}
