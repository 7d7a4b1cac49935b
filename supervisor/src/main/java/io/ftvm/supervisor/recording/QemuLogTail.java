package io.ftvm.supervisor.recording;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The end of a QEMU log, appended to errors so QEMU's own complaint is visible. */
final class QemuLogTail {
  private static final int LINES = 10;

  private QemuLogTail() {}

  static String of(Path qemuLog) {
    try {
      List<String> lines = Files.readAllLines(qemuLog);
      if (lines.isEmpty()) {
        return "";
      }
      List<String> tail = lines.subList(Math.max(0, lines.size() - LINES), lines.size());
      return "\nQEMU said (" + qemuLog + "):\n  " + String.join("\n  ", tail);
    } catch (IOException e) {
      return "";
    }
  }
}
