package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleDiffTest {

  @Test
  void identicalOutputsModuloCrlfDoNotDiverge() {
    assertThat(ConsoleDiff.firstDivergence("a\r\nb\r\n", "a\nb\n")).isEmpty();
    assertThat(ConsoleDiff.firstDivergence("", "")).isEmpty();
  }

  @Test
  void reportsFirstDifferingLine() {
    ConsoleDiff.Divergence d =
        ConsoleDiff.firstDivergence("boot\nhello 1\nhello 2\n", "boot\nhello 1\nhellO 2\n")
            .orElseThrow();
    assertThat(d).isEqualTo(new ConsoleDiff.Divergence(3, "hello 2", "hellO 2"));
    assertThat(d.describe())
        .isEqualTo(
            "console output diverges at line 3:\n  expected: \"hello 2\"\n  actual:   \"hellO 2\"");
  }

  @Test
  void reportsShorterActualOutput() {
    ConsoleDiff.Divergence d = ConsoleDiff.firstDivergence("a\nb\nc\n", "a\nb\n").orElseThrow();
    assertThat(d).isEqualTo(new ConsoleDiff.Divergence(3, "c", null));
    assertThat(d.describe()).contains("actual:   <end of output>");
  }

  @Test
  void reportsLongerActualOutput() {
    assertThat(ConsoleDiff.firstDivergence("", "x"))
        .contains(new ConsoleDiff.Divergence(1, null, "x"));
  }
}
