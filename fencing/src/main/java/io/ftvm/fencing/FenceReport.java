package io.ftvm.fencing;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What fencing did: each step in execution order, the total time, and the time bound it was held
 * to.
 */
public record FenceReport(List<FenceStep> steps, Duration total, Duration bound) {

  public FenceReport {
    steps = List.copyOf(steps);
  }

  public static FenceReport single(FenceStep step, Duration bound) {
    return new FenceReport(List.of(step), step.duration(), bound);
  }

  /** True when every step succeeded. */
  public boolean succeeded() {
    return !steps.isEmpty() && steps.stream().allMatch(FenceStep::succeeded);
  }

  public boolean boundMet() {
    return total.compareTo(bound) <= 0;
  }

  public List<FenceStep> failedSteps() {
    return steps.stream().filter(step -> !step.succeeded()).toList();
  }

  /** Multi-line summary for logs and the CLI. */
  public String summary() {
    String header =
        (succeeded() ? "fenced" : "fencing INCOMPLETE")
            + " in "
            + formatMillis(total)
            + " (bound "
            + formatMillis(bound)
            + (boundMet() ? ", met" : ", EXCEEDED")
            + ")";
    return header
        + steps.stream().map(step -> "\n  - " + step.summary()).collect(Collectors.joining());
  }

  static String formatMillis(Duration duration) {
    return String.format(Locale.ROOT, "%.1f ms", duration.toNanos() / 1e6);
  }
}
