package io.ftvm.replay;

import java.util.List;
import java.util.Optional;

/**
 * Compares recorded and replayed console output line by line. Serial consoles emit CRLF, so a
 * trailing CR is not a difference.
 */
public final class ConsoleDiff {

  /**
   * The first line where two outputs differ.
   *
   * @param lineNumber 1-based line number
   * @param expectedLine the recorded line, null if the recorded output ended earlier
   * @param actualLine the replayed line, null if the replayed output ended earlier
   */
  public record Divergence(int lineNumber, String expectedLine, String actualLine) {
    /** One-paragraph explanation for CI output. */
    public String describe() {
      return "console output diverges at line "
          + lineNumber
          + ":\n  expected: "
          + render(expectedLine)
          + "\n  actual:   "
          + render(actualLine);
    }

    private static String render(String line) {
      return line == null ? "<end of output>" : '"' + line + '"';
    }
  }

  private ConsoleDiff() {}

  /** Empty if both outputs have the same lines. */
  public static Optional<Divergence> firstDivergence(String expected, String actual) {
    List<String> want = lines(expected);
    List<String> got = lines(actual);
    int common = Math.min(want.size(), got.size());
    for (int i = 0; i < common; i++) {
      if (!want.get(i).equals(got.get(i))) {
        return Optional.of(new Divergence(i + 1, want.get(i), got.get(i)));
      }
    }
    if (want.size() == got.size()) {
      return Optional.empty();
    }
    return Optional.of(
        new Divergence(
            common + 1,
            common < want.size() ? want.get(common) : null,
            common < got.size() ? got.get(common) : null));
  }

  private static List<String> lines(String text) {
    return text.isEmpty() ? List.of() : text.replace("\r\n", "\n").lines().toList();
  }
}
