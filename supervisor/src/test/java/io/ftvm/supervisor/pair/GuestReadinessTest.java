package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.supervisor.vm.ReadinessProbe;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GuestReadinessTest {
  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void withoutAReadyLineTheGuestsReadinessIsUnknownWhateverItPrints() {
    GuestReadiness readiness = new GuestReadiness(Optional.empty(), () -> 5);
    readiness.accept(text("FTVM ready 1\r\nlogin: "));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.UNKNOWN);
    assertThat(readiness.detail()).contains("no readiness probe");
  }

  @Test
  void upOnceALineStartsWithThePrefixEvenSplitAcrossReads() {
    GuestReadiness readiness =
        new GuestReadiness(Optional.of(ReadinessProbe.consolePrefix("FTVM ready ")), () -> 12_345);
    readiness.accept(text("booting\r\nxFTVM ready no\r\nFTVM re"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
    readiness.accept(text("ady 10.77.0.10\r\n"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.UP);
    assertThat(readiness.detail()).contains("12.3 s");
  }

  @Test
  void aPartialReadyLineIsNotUp() {
    GuestReadiness readiness =
        new GuestReadiness(Optional.of(ReadinessProbe.consolePrefix("FTVM ready ")), () -> 1);
    readiness.accept(text("FTVM ready 1"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
  }

  @Test
  void aConsolePatternIsFoundAnywhereInALine() {
    GuestReadiness readiness =
        new GuestReadiness(Optional.of(ReadinessProbe.console("login: ?$")), () -> 40_000);
    readiness.accept(text("Debian GNU/Linux 12 ftvm ttyS0\r\n\r\nlogin: is a word\r\n"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
    readiness.accept(text("ftvm login: \r\n"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.UP);
    assertThat(readiness.detail()).contains("\"ftvm login:\"").contains("40.0 s after start");
  }

  @Test
  void aTcpProbedGuestIgnoresItsConsoleAndIsUpWhenThePortAccepted() {
    GuestReadiness readiness =
        new GuestReadiness(Optional.of(ReadinessProbe.tcp(5432)), () -> 7_500);
    readiness.accept(text("FTVM ready 1\r\nlogin: \r\n"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
    assertThat(readiness.detail()).contains("TCP port 5432");

    readiness.tcpAccepted("TCP 10.77.0.10:5432 accepted a connection");

    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.UP);
    assertThat(readiness.detail())
        .isEqualTo("TCP 10.77.0.10:5432 accepted a connection 7.5 s after start");
  }

  @Test
  void aConsoleProbedGuestIsNotUpBecauseSomeTcpProbeSaidSo() {
    GuestReadiness readiness =
        new GuestReadiness(Optional.of(ReadinessProbe.console("ready")), () -> 1);
    readiness.tcpAccepted("TCP 10.77.0.10:22 accepted a connection");
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
