package io.ftvm.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where each emulated host's CPU went during a window, thread by thread: CPU time (the scheduler's
 * run time) and time spent runnable but waiting for a core, both from {@code
 * /proc/<pid>/task/<tid>/schedstat}, as percent of one core over the window. The second figure is
 * the one that shows starvation: a thread that waits about as long as it runs is short of cores.
 */
final class ThreadCpuReport {
  private static final int TOP_THREADS_PER_HOST = 10;

  private record ThreadKey(long pid, long tid, String name) {}

  private record Reading(long runNanos, long waitNanos) {}

  private final Map<String, List<Long>> processesByHost;
  private final Map<ThreadKey, Reading> start;
  private final long startNanos;

  private ThreadCpuReport(Map<String, List<Long>> processesByHost) {
    this.processesByHost = processesByHost;
    this.startNanos = System.nanoTime();
    this.start = read(processesByHost);
  }

  /** Starts the window now. */
  static ThreadCpuReport begin(Map<String, List<Long>> processesByHost) {
    return new ThreadCpuReport(processesByHost);
  }

  /** Ends the window now and renders the busiest threads of each host. */
  String end() {
    double elapsedNanos = System.nanoTime() - startNanos;
    Map<ThreadKey, Reading> now = read(processesByHost);
    StringBuilder report = new StringBuilder();
    report.append(String.format("window %.1f s; %% of one core%n", elapsedNanos / 1e9));
    for (Map.Entry<String, List<Long>> host : processesByHost.entrySet()) {
      double totalRun = 0;
      double totalWait = 0;
      List<Map.Entry<ThreadKey, Reading>> deltas = new ArrayList<>();
      for (Map.Entry<ThreadKey, Reading> thread : now.entrySet()) {
        if (!host.getValue().contains(thread.getKey().pid())) {
          continue;
        }
        Reading before = start.getOrDefault(thread.getKey(), new Reading(0, 0));
        Reading delta =
            new Reading(
                thread.getValue().runNanos() - before.runNanos(),
                thread.getValue().waitNanos() - before.waitNanos());
        totalRun += delta.runNanos();
        totalWait += delta.waitNanos();
        deltas.add(Map.entry(thread.getKey(), delta));
      }
      deltas.sort(
          Comparator.comparingLong((Map.Entry<ThreadKey, Reading> e) -> e.getValue().runNanos())
              .reversed());
      report.append(
          String.format(
              "host %s (pids %s): CPU %.1f %%, runnable but waiting %.1f %%%n",
              host.getKey(),
              host.getValue(),
              100 * totalRun / elapsedNanos,
              100 * totalWait / elapsedNanos));
      for (Map.Entry<ThreadKey, Reading> thread :
          deltas.subList(0, Math.min(TOP_THREADS_PER_HOST, deltas.size()))) {
        report.append(
            String.format(
                "  %-24s pid %-8d cpu %6.1f %%  wait %6.1f %%%n",
                thread.getKey().name(),
                thread.getKey().pid(),
                100 * thread.getValue().runNanos() / elapsedNanos,
                100 * thread.getValue().waitNanos() / elapsedNanos));
      }
    }
    return report.toString();
  }

  private static Map<ThreadKey, Reading> read(Map<String, List<Long>> processesByHost) {
    Map<ThreadKey, Reading> readings = new LinkedHashMap<>();
    for (List<Long> pids : processesByHost.values()) {
      for (long pid : pids) {
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
          for (Path thread : threads) {
            readThread(pid, thread).ifPresent(e -> readings.put(e.getKey(), e.getValue()));
          }
        } catch (IOException e) {
          // The process is gone: it contributes nothing to either end of the window.
        }
      }
    }
    return readings;
  }

  private static Optional<Map.Entry<ThreadKey, Reading>> readThread(long pid, Path thread) {
    try {
      String name = Files.readString(thread.resolve("comm")).strip();
      String[] schedstat = Files.readString(thread.resolve("schedstat")).strip().split("\\s+");
      ThreadKey key = new ThreadKey(pid, Long.parseLong(thread.getFileName().toString()), name);
      return Optional.of(
          Map.entry(key, new Reading(Long.parseLong(schedstat[0]), Long.parseLong(schedstat[1]))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
