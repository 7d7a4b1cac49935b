package io.ftvm.supervisor.vm;

import java.util.List;

/** ftvm cannot run a VM as described; the message lists every reason, one per line. */
public final class UnsupportedVmException extends Exception {
  private final transient List<String> problems;

  public UnsupportedVmException(String what, List<String> problems) {
    super(message(what, problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }

  public static String message(String what, List<String> problems) {
    StringBuilder text =
        new StringBuilder("ftvm cannot run ")
            .append(what)
            .append(" as described (")
            .append(problems.size())
            .append(problems.size() == 1 ? " problem):" : " problems):");
    for (String problem : problems) {
      text.append(System.lineSeparator()).append("  - ").append(problem);
    }
    return text.toString();
  }
}
