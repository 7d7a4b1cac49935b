package io.ftvm.fencing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fields of Linux {@code /proc/<pid>/stat} that fencing needs: the state letter and the start
 * time in clock ticks since boot, which together with the pid identifies a process uniquely.
 */
record ProcStat(long pid, char state, long startTicks) {

  /** Exited but not yet reaped (Z) or being torn down (X): holds no memory, files or sockets. */
  boolean hasExited() {
    return state == 'Z' || state == 'X' || state == 'x';
  }

  String describeState() {
    return switch (state) {
      case 'R' -> "R (running)";
      case 'S' -> "S (sleeping)";
      case 'D' -> "D (uninterruptible sleep, probably stuck in kernel I/O)";
      case 'T', 't' -> state + " (stopped/traced)";
      case 'Z' -> "Z (zombie)";
      default -> String.valueOf(state);
    };
  }

  /** Reads the stat of {@code pid}; empty when no such process exists. */
  static Optional<ProcStat> read(long pid) throws IOException {
    String line;
    try {
      line = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    } catch (IOException e) {
      // ESRCH while reading means the process vanished between open and read.
      if (String.valueOf(e.getMessage()).contains("No such process")) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(parse(pid, line));
  }

  /**
   * Parses one stat line. The command name (field 2) is in parentheses and may itself contain
   * spaces and ')', so fields are counted from the last ')'.
   */
  static ProcStat parse(long pid, String line) {
    int commEnd = line.lastIndexOf(')');
    if (commEnd < 0 || commEnd + 2 >= line.length()) {
      throw new IllegalArgumentException(
          "unexpected /proc/" + pid + "/stat format (no ')' closing the command): " + line);
    }
    String[] rest = line.substring(commEnd + 2).trim().split(" ");
    // rest[0] is field 3 (state); starttime is field 22.
    int startTimeIndex = 22 - 3;
    if (rest.length <= startTimeIndex) {
      throw new IllegalArgumentException(
          "unexpected /proc/"
              + pid
              + "/stat format: "
              + (rest.length + 2)
              + " fields, need at least 22: "
              + line);
    }
    return new ProcStat(pid, rest[0].charAt(0), Long.parseLong(rest[startTimeIndex]));
  }
}
