package io.ftvm.supervisor.recording;

import io.ftvm.replay.ConsoleDiff;
import java.util.List;
import java.util.Optional;

/**
 * Compares a console that is still being written with the recorded one: every complete line so far
 * must equal the recorded line at that position. Lets a replay stop at the first wrong line instead
 * of running to the end.
 */
final class ConsolePrefixCheck {
  private final List<String> expected;

  ConsolePrefixCheck(String recordedConsole) {
    this.expected = ConsoleFile.completeLines(recordedConsole + "\n");
  }

  /** The first complete line of {@code actualLines} that the recording does not have there. */
  Optional<ConsoleDiff.Divergence> firstMismatch(List<String> actualLines) {
    for (int i = 0; i < actualLines.size(); i++) {
      String want = i < expected.size() ? expected.get(i) : null;
      if (!actualLines.get(i).equals(want)) {
        return Optional.of(new ConsoleDiff.Divergence(i + 1, want, actualLines.get(i)));
      }
    }
    return Optional.empty();
  }
}
