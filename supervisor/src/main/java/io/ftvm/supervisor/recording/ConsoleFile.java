package io.ftvm.supervisor.recording;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The guest console as QEMU writes it to a file. Serial output is a few KB per minute, so reading
 * it whole on every look is cheaper than keeping a tail position right across partial lines.
 */
public final class ConsoleFile {
  private final Path path;

  public ConsoleFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** Everything written so far (empty before QEMU created the file). */
  public String text() throws IOException {
    try {
      return new String(Files.readAllBytes(path), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }

  /** Complete lines written so far, CR stripped; a line still being written is left out. */
  public List<String> completeLines() throws IOException {
    return completeLines(text());
  }

  static List<String> completeLines(String text) {
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return List.of();
    }
    return text.substring(0, end).replace("\r", "").lines().toList();
  }

  /** The first complete line starting with {@code prefix}, if written yet. */
  public Optional<String> lineStartingWith(String prefix) throws IOException {
    return completeLines().stream().filter(line -> line.startsWith(prefix)).findFirst();
  }
}
