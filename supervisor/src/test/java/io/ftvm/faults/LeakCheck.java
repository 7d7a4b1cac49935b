package io.ftvm.faults;

import io.ftvm.supervisor.topology.TopologySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a closed round left behind: its namespaces ({@code ftvm-<id>-*}) and owner marker, links in
 * the root namespace named after its pair id (TAP devices live in the host namespaces and go with
 * them), mounts and processes that mention its work directory (supervisors, QEMUs, the client all
 * carry it on their command line), and helper processes it started (CPU hogs).
 */
final class LeakCheck {
  private final Path roundDirectory;
  private final TopologySpec topology;
  private final List<Process> helpers;

  /**
   * @param topology the round's topology, or null if the pair never got that far
   */
  LeakCheck(Path roundDirectory, TopologySpec topology, List<Process> helpers) {
    this.roundDirectory = roundDirectory.toAbsolutePath();
    this.topology = topology;
    this.helpers = helpers;
  }

  /** Leaks, allowing a few seconds for processes killed at close to be reaped. */
  List<String> awaitClean(long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    List<String> leaks = leaks();
    while (!leaks.isEmpty() && System.currentTimeMillis() < deadline) {
      Thread.sleep(200);
      leaks = leaks();
    }
    return leaks;
  }

  List<String> leaks() throws IOException, InterruptedException {
    List<String> leaks = new ArrayList<>();
    if (topology != null) {
      List<String> namespaces = output(List.of("ip", "netns", "list"));
      for (String namespace : topology.namespaces()) {
        if (namespaces.stream().anyMatch(line -> line.split(" ")[0].equals(namespace))) {
          leaks.add("namespace " + namespace);
        }
      }
      if (Files.exists(topology.markerFile())) {
        leaks.add("owner marker " + topology.markerFile());
      }
      for (String link : output(List.of("ip", "-o", "link", "show"))) {
        if (link.contains(topology.pairId())) {
          leaks.add("link " + link.trim());
        }
      }
    }
    for (String mount : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      if (mount.contains(roundDirectory + "/")) {
        leaks.add("mount " + mount);
      }
    }
    leaks.addAll(processesMentioningRound());
    for (Process helper : helpers) {
      if (helper.isAlive()) {
        leaks.add("helper process " + helper.pid() + " " + helper.info().commandLine().orElse(""));
      }
    }
    return leaks;
  }

  private List<String> processesMentioningRound() throws IOException {
    List<String> found = new ArrayList<>();
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : proc) {
        if (process.getFileName().toString().equals(Long.toString(self))) {
          continue;
        }
        String commandLine;
        try {
          commandLine =
              new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ');
          String stat = Files.readString(process.resolve("stat"));
          if (stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z")) {
            continue; // a zombie holds nothing; its parent reaps it
          }
        } catch (IOException | StringIndexOutOfBoundsException gone) {
          continue;
        }
        if (commandLine.contains(roundDirectory + "/")) {
          found.add("process " + process.getFileName() + " " + abbreviate(commandLine));
        }
      }
    }
    return found;
  }

  private static String abbreviate(String commandLine) {
    return commandLine.length() > 160 ? commandLine.substring(0, 160) + "..." : commandLine;
  }

  private static List<String> output(List<String> command)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + text.trim());
    }
    return text.isBlank() ? List.of() : List.of(text.split("\n"));
  }
}
