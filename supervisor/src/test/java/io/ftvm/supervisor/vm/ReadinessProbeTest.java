package io.ftvm.supervisor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ReadinessProbeTest {
  @Test
  void exactlyOneOfPatternAndPort() {
    assertThatThrownBy(() -> new ReadinessProbe(null, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("exactly one");
    assertThatThrownBy(() -> new ReadinessProbe("login:", 22)).hasMessageContaining("exactly one");
  }

  @Test
  void portAndPatternAreChecked() {
    assertThatThrownBy(() -> ReadinessProbe.tcp(65536)).hasMessageContaining("1..65535");
    assertThatThrownBy(() -> ReadinessProbe.tcp(-1)).hasMessageContaining("1..65535");
    assertThatThrownBy(() -> ReadinessProbe.console("[")).hasMessageContaining("not a regular");
    assertThatThrownBy(() -> ReadinessProbe.console("")).hasMessageContaining("empty");
  }

  @Test
  void aReadyLinePrefixIsLiteralAndAnchored() {
    Pattern prefix = Pattern.compile(ReadinessProbe.consolePrefix("FTVM ready (").consolePattern());
    assertThat(prefix.matcher("FTVM ready (10.77.0.10)").find()).isTrue();
    assertThat(prefix.matcher("x FTVM ready (").find()).isFalse();
  }

  @Test
  void describedForPeople() {
    assertThat(ReadinessProbe.tcp(5432).describe())
        .isEqualTo("TCP port 5432 of the guest accepts a connection");
    assertThat(ReadinessProbe.console("login: $").describe())
        .isEqualTo("a console line matches /login: $/");
  }
}
