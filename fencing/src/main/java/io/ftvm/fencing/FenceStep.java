package io.ftvm.fencing;

import java.time.Duration;
import java.util.Objects;

/** The outcome of one fencing action. */
public record FenceStep(String fencer, Outcome outcome, Duration duration, String detail) {

  public enum Outcome {
    SUCCEEDED,
    FAILED
  }

  public FenceStep {
    Objects.requireNonNull(fencer, "fencer");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(detail, "detail");
  }

  public static FenceStep succeeded(String fencer, Duration duration, String detail) {
    return new FenceStep(fencer, Outcome.SUCCEEDED, duration, detail);
  }

  public static FenceStep failed(String fencer, Duration duration, String detail) {
    return new FenceStep(fencer, Outcome.FAILED, duration, detail);
  }

  public boolean succeeded() {
    return outcome == Outcome.SUCCEEDED;
  }

  public String summary() {
    return fencer + " " + outcome + " in " + FenceReport.formatMillis(duration) + ": " + detail;
  }
}
