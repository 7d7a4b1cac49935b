package io.ftvm.supervisor.topology;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** Simulates the namespace bookkeeping of {@code ip netns}; can fail a chosen command. */
final class FakeIpRunner implements CommandRunner {
  final Set<String> namespaces = new LinkedHashSet<>();
  final List<String> commands = new ArrayList<>();
  private Predicate<String> failing = command -> false;

  FakeIpRunner failWhen(Predicate<String> predicate) {
    this.failing = predicate;
    return this;
  }

  @Override
  public CommandResult run(List<String> argv, Duration timeout) {
    String line = String.join(" ", argv);
    commands.add(line);
    if (failing.test(line)) {
      return new CommandResult(argv, 2, "", "RTNETLINK answers: Operation not permitted\n");
    }
    if (line.startsWith("ip netns add ")) {
      if (!namespaces.add(argv.get(3))) {
        return new CommandResult(
            argv,
            1,
            "",
            "Cannot create namespace file \"/run/netns/" + argv.get(3) + "\": File exists\n");
      }
    } else if (line.startsWith("ip netns delete ")) {
      if (!namespaces.remove(argv.get(3))) {
        return new CommandResult(argv, 1, "", "No such file or directory\n");
      }
    } else if (line.equals("ip netns list")) {
      StringBuilder out = new StringBuilder();
      namespaces.forEach(ns -> out.append(ns).append(" (id: 0)\n"));
      return new CommandResult(argv, 0, out.toString(), "");
    }
    return new CommandResult(argv, 0, "", "");
  }
}
