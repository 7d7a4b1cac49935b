package io.ftvm.supervisor.vm;

import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * How ftvm tells that the guest is up, for people and for {@code ftvm start}'s "guest up": a
 * console line matching a pattern, or a TCP port on the guest's address that accepts a connection.
 * It decides nothing about the pair: "protected" is the backup following, whatever the guest does.
 *
 * @param consolePattern a regular expression found in one console line, or null
 * @param tcpPort a TCP port on the guest's IP address (configured or learned from its traffic), or
 *     0
 */
public record ReadinessProbe(String consolePattern, int tcpPort) {

  /** Exactly one of the two; the pattern must compile. */
  public ReadinessProbe {
    Optional<String> problem = problem(consolePattern, tcpPort);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
  }

  public static ReadinessProbe console(String regex) {
    return new ReadinessProbe(regex, 0);
  }

  /** The ready-line spelling of older configs: a line that starts with {@code prefix}. */
  public static ReadinessProbe consolePrefix(String prefix) {
    return new ReadinessProbe("^" + Pattern.quote(prefix), 0);
  }

  public static ReadinessProbe tcp(int port) {
    return new ReadinessProbe(null, port);
  }

  /** Why {@code (consolePattern, tcpPort)} is no probe, or empty when it is one. */
  public static Optional<String> problem(String consolePattern, int tcpPort) {
    boolean console = consolePattern != null;
    boolean tcp = tcpPort != 0;
    if (console == tcp) {
      return Optional.of(
          "a readiness probe is either a console pattern or a TCP port, exactly one of them");
    }
    if (tcp && (tcpPort < 1 || tcpPort > 65535)) {
      return Optional.of("readiness TCP port " + tcpPort + " is not in 1..65535");
    }
    if (console) {
      if (consolePattern.isEmpty()) {
        return Optional.of("readiness console pattern is empty");
      }
      try {
        Pattern.compile(consolePattern);
      } catch (PatternSyntaxException e) {
        return Optional.of(
            "readiness console pattern \""
                + consolePattern
                + "\" is not a regular expression: "
                + e.getDescription());
      }
    }
    return Optional.empty();
  }

  public boolean byTcp() {
    return tcpPort != 0;
  }

  /** In words, e.g. for {@code ftvm vm check} and status. */
  public String describe() {
    return byTcp()
        ? "TCP port " + tcpPort + " of the guest accepts a connection"
        : "a console line matches /" + consolePattern + "/";
  }
}
