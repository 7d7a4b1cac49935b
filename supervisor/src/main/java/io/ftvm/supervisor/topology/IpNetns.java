package io.ftvm.supervisor.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The few {@code ip netns} / {@code ip -n} operations a topology needs, over a runner. */
final class IpNetns {
  static final Duration IP_TIMEOUT = Duration.ofSeconds(10);

  private final CommandRunner runner;

  IpNetns(CommandRunner runner) {
    this.runner = runner;
  }

  CommandRunner runner() {
    return runner;
  }

  void add(String namespace) {
    runner.runChecked(List.of("ip", "netns", "add", namespace), IP_TIMEOUT);
  }

  void delete(String namespace) {
    runner.runChecked(List.of("ip", "netns", "delete", namespace), IP_TIMEOUT);
  }

  /** Names of all named namespaces ({@code ip netns list} prints "name (id: n)" per line). */
  List<String> list() {
    CommandResult result = runner.runChecked(List.of("ip", "netns", "list"), IP_TIMEOUT);
    return parseList(result.stdout());
  }

  static List<String> parseList(String output) {
    List<String> names = new ArrayList<>();
    for (String line : output.split("\n")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty()) {
        names.add(trimmed.split("\\s+", 2)[0]);
      }
    }
    return names;
  }

  /** Pids of every process whose network namespace is {@code namespace}. */
  List<Long> pids(String namespace) {
    CommandResult result = runner.runChecked(List.of("ip", "netns", "pids", namespace), IP_TIMEOUT);
    List<Long> pids = new ArrayList<>();
    for (String line : result.stdout().split("\n")) {
      String trimmed = line.strip();
      if (!trimmed.isEmpty()) {
        try {
          pids.add(Long.parseLong(trimmed));
        } catch (NumberFormatException e) {
          throw new TopologyException(
              "ip netns pids " + namespace + " printed '" + trimmed + "', which is not a pid");
        }
      }
    }
    return pids;
  }

  /** Runs {@code ip -n <namespace> <args...>} and fails on a non-zero exit. */
  CommandResult ip(String namespace, String... args) {
    List<String> argv = new ArrayList<>(List.of("ip", "-n", namespace));
    argv.addAll(List.of(args));
    return runner.runChecked(argv, IP_TIMEOUT);
  }

  /** The argv that runs {@code command} inside {@code namespace}. */
  static List<String> execArgv(String namespace, List<String> command) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("no command given to run in namespace " + namespace);
    }
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    argv.addAll(command);
    return argv;
  }
}
