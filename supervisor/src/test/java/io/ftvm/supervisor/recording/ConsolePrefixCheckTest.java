package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.replay.ConsoleDiff;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsolePrefixCheckTest {
  private final ConsolePrefixCheck check =
      new ConsolePrefixCheck("FTVM boot\r\nFTVM ready\r\nFTVM heartbeat 1\r\n");

  @Test
  void aCorrectPrefixIsNoMismatch() {
    assertThat(check.firstMismatch(List.of("FTVM boot", "FTVM ready"))).isEmpty();
    assertThat(check.firstMismatch(List.of())).isEmpty();
  }

  @Test
  void namesTheFirstWrongLine() {
    assertThat(check.firstMismatch(List.of("FTVM boot", "FTVM panic", "x")))
        .contains(new ConsoleDiff.Divergence(2, "FTVM ready", "FTVM panic"));
  }

  @Test
  void aLineBeyondTheRecordingIsAMismatch() {
    assertThat(
            check.firstMismatch(
                List.of("FTVM boot", "FTVM ready", "FTVM heartbeat 1", "FTVM heartbeat 2")))
        .contains(new ConsoleDiff.Divergence(4, null, "FTVM heartbeat 2"));
  }

  @Test
  void consoleFileLeavesOutALineStillBeingWritten() {
    assertThat(ConsoleFile.completeLines("a\r\nb\r\nparti")).containsExactly("a", "b");
    assertThat(ConsoleFile.completeLines("parti")).isEmpty();
  }
}
