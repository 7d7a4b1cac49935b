package io.ftvm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StreamTailTest {
  @Test
  void keepsOnlyTheLastBytesAndMarksTheCut() throws Exception {
    String text = "x".repeat(5000) + "\nlast words";
    StreamTail tail =
        new StreamTail(
            new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), 16, "test-tail");

    tail.awaitEnd(5000);

    assertThat(tail.text()).isEqualTo("...xxxxx\nlast words");
    assertThat(StreamTail.oneLine(tail.text())).isEqualTo("...xxxxx | last words");
  }

  @Test
  void emptyStreamIsShownAsEmpty() throws Exception {
    StreamTail tail = new StreamTail(new ByteArrayInputStream(new byte[0]), 16, "test-tail");

    tail.awaitEnd(5000);

    assertThat(StreamTail.oneLine(tail.text())).isEqualTo("(empty)");
  }
}
