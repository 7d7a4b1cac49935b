package io.ftvm.supervisor.nativeos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What {@code /proc/PID/stat} says about a process. {@link ProcessHandle} treats zombies as alive;
 * a supervisor asking "is that QEMU gone?" must count a zombie as gone, since it holds no memory,
 * no descriptors and executes nothing.
 */
public final class LinuxProcess {
  private LinuxProcess() {}

  /** A snapshot of a process: its state letter (R, S, D, Z, ...) and parent pid. */
  public record Status(long pid, char state, long parentPid) {
    public boolean isZombie() {
      return state == 'Z' || state == 'X';
    }
  }

  /** The process's status, or empty if no such process exists (any more). */
  public static Optional<Status> status(long pid) throws IOException {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (Files.notExists(Path.of("/proc", Long.toString(pid)))) {
        return Optional.empty();
      }
      throw e;
    }
    return Optional.of(parseStat(pid, stat));
  }

  /** True while the process exists and is not a zombie. */
  public static boolean isRunning(long pid) throws IOException {
    return status(pid).map(s -> !s.isZombie()).orElse(false);
  }

  static Status parseStat(long pid, String stat) {
    // The command name is in parentheses and may itself contain ") ", so split at the last ')'.
    int end = stat.lastIndexOf(')');
    if (end < 0 || end + 2 >= stat.length()) {
      throw new IllegalArgumentException("unparseable /proc/" + pid + "/stat: " + stat);
    }
    String[] fields = stat.substring(end + 2).trim().split(" ");
    if (fields.length < 2) {
      throw new IllegalArgumentException("unparseable /proc/" + pid + "/stat: " + stat);
    }
    return new Status(pid, fields[0].charAt(0), Long.parseLong(fields[1]));
  }
}
