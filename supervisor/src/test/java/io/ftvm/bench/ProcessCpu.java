package io.ftvm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** CPU time a process used so far, from {@code /proc/<pid>/stat} (user + system). */
final class ProcessCpu {
  /**
   * USER_HZ: the unit of utime/stime in /proc. 100 on every mainstream Linux build (the kernel
   * reports in these units regardless of its internal HZ); Java has no portable sysconf.
   */
  private static final double TICKS_PER_SECOND = 100.0;

  private ProcessCpu() {}

  /** CPU milliseconds used by {@code pid}, or empty if it is gone or unreadable. */
  static OptionalLong cpuMillis(long pid) {
    if (pid <= 0) {
      return OptionalLong.empty();
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may contain spaces and ')': fields after the last ')' are safe.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return OptionalLong.of(Math.round(ticks * 1000 / TICKS_PER_SECOND));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }
}
