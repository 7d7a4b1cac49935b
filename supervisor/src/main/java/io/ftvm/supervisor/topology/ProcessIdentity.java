package io.ftvm.supervisor.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process named by pid <em>and</em> kernel start time, so that a pid reused by an unrelated
 * process after the owner died is not mistaken for the owner.
 *
 * @param pid the process id
 * @param startTime field 22 of {@code /proc/<pid>/stat}, in clock ticks since boot
 */
public record ProcessIdentity(long pid, long startTime) {
  private static final Path PROC = Path.of("/proc");

  /** The identity of this JVM. */
  public static ProcessIdentity current() {
    long pid = ProcessHandle.current().pid();
    return of(pid)
        .orElseThrow(() -> new IllegalStateException("/proc/" + pid + "/stat is unreadable"));
  }

  /** The identity of a running process, empty if no such process exists (or it is a zombie). */
  public static Optional<ProcessIdentity> of(long pid) {
    return startTimeOf(PROC, pid).map(start -> new ProcessIdentity(pid, start));
  }

  /** Whether this very process (same pid, same start time) still runs. */
  public boolean isAlive() {
    return startTimeOf(PROC, pid).map(start -> start == startTime).orElse(false);
  }

  static Optional<Long> startTimeOf(Path proc, long pid) {
    String stat;
    try {
      stat =
          Files.readString(
              proc.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // A process exiting while we read its stat file shows up as ESRCH; treat it as gone.
      return Optional.empty();
    }
    return parseStartTime(stat);
  }

  /**
   * Reads state and start time from a {@code /proc/<pid>/stat} line. The command name (field 2) may
   * contain spaces and parentheses, so fields are counted from the last ')'.
   */
  static Optional<Long> parseStartTime(String stat) {
    int endOfName = stat.lastIndexOf(')');
    if (endOfName < 0) {
      return Optional.empty();
    }
    String[] fields = stat.substring(endOfName + 1).trim().split("\\s+");
    // fields[0] is field 3 (state); start time is field 22, i.e. fields[19].
    if (fields.length < 20 || fields[0].equals("Z") || fields[0].equals("X")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(fields[19]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
