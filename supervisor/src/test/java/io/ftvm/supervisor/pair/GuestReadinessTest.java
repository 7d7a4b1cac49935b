package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GuestReadinessTest {
  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void withoutAReadyLineTheGuestsReadinessIsUnknownWhateverItPrints() {
    GuestReadiness readiness = new GuestReadiness(null, () -> 5);
    readiness.accept(text("FTVM ready 1\r\nlogin: "));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.UNKNOWN);
    assertThat(readiness.detail()).contains("no ready line");
  }

  @Test
  void upOnceALineStartsWithThePrefixEvenSplitAcrossReads() {
    GuestReadiness readiness = new GuestReadiness("FTVM ready ", () -> 12_345);
    readiness.accept(text("booting\r\nxFTVM ready no\r\nFTVM re"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
    readiness.accept(text("ady 10.77.0.10\r\n"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.UP);
    assertThat(readiness.detail()).contains("12.3 s");
  }

  @Test
  void aPartialReadyLineIsNotUp() {
    GuestReadiness readiness = new GuestReadiness("FTVM ready ", () -> 1);
    readiness.accept(text("FTVM ready 1"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
  }

  @Test
  void summaryShowsReadinessAndAddress() {
    assertThat(
            new GuestView(
                    GuestView.Readiness.UNKNOWN,
                    "no ready line configured",
                    "10.0.0.5",
                    "learned from its traffic")
                .summary())
        .isEqualTo("unknown (no ready line configured), IP 10.0.0.5 (learned from its traffic)");
  }
}
