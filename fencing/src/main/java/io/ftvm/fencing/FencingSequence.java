package io.ftvm.fencing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs fencing measures in the safe order (close output, kill QEMU, external hooks) whatever order
 * they were configured in, carries on past failures, and halts the supervisor as a last resort when
 * any measure failed. Each step's outcome and duration ends up in the report.
 */
public final class FencingSequence implements Fencer {
  private static final Logger log = LoggerFactory.getLogger(FencingSequence.class);

  private record Measure(FencePhase phase, Fencer fencer) {}

  private final List<Measure> measures;
  private final Duration bound;

  private FencingSequence(List<Measure> measures, Duration bound) {
    this.measures = measures.stream().sorted(Comparator.comparing(Measure::phase)).toList();
    this.bound = bound;
  }

  public static Builder builder(Duration bound) {
    return new Builder(bound);
  }

  @Override
  public String name() {
    return "fencing-sequence";
  }

  @Override
  public FenceReport fence(FenceRequest request) {
    long start = System.nanoTime();
    log.warn("fencing {} (bound {})", request.describe(), FenceReport.formatMillis(bound));
    List<FenceStep> steps = new ArrayList<>();
    for (Measure measure : measures) {
      if (measure.phase() == FencePhase.SELF_FENCE_ON_FAILURE
          && steps.stream().allMatch(FenceStep::succeeded)) {
        continue;
      }
      for (FenceStep step : runGuarded(measure.fencer(), request)) {
        steps.add(step);
        if (step.succeeded()) {
          log.info("fence step {}", step.summary());
        } else {
          log.error("fence step {}", step.summary());
        }
      }
    }
    FenceReport report = new FenceReport(steps, Duration.ofNanos(System.nanoTime() - start), bound);
    if (report.succeeded() && report.boundMet()) {
      log.info("{}", report.summary());
    } else {
      log.error("{}", report.summary());
    }
    return report;
  }

  /** A measure that throws must not stop the later ones. */
  private static List<FenceStep> runGuarded(Fencer fencer, FenceRequest request) {
    long start = System.nanoTime();
    try {
      return fencer.fence(request).steps();
    } catch (RuntimeException e) {
      return List.of(
          FenceStep.failed(
              fencer.name(), Duration.ofNanos(System.nanoTime() - start), "threw " + e));
    }
  }

  /** Collects the measures; their order of addition does not matter. */
  public static final class Builder {
    private final Duration bound;
    private final List<Measure> measures = new ArrayList<>();

    private Builder(Duration bound) {
      if (bound.isNegative() || bound.isZero()) {
        throw new IllegalArgumentException("fencing bound must be > 0 but was " + bound);
      }
      this.bound = bound;
    }

    public Builder add(FencePhase phase, Fencer fencer) {
      measures.add(new Measure(phase, fencer));
      return this;
    }

    public Builder closeOutput(OutputGate gate) {
      return add(FencePhase.CLOSE_OUTPUT, new OutputGateFencer(gate));
    }

    public Builder killProcess(ProcessIdentity qemu, Duration killBound) {
      return add(FencePhase.KILL_VM, new ProcessKillFencer(qemu, killBound));
    }

    public Builder externalHook(ExternalCommandFencer hook) {
      return add(FencePhase.EXTERNAL, hook);
    }

    public Builder selfFenceOnFailure(SupervisorHalt halt) {
      return add(FencePhase.SELF_FENCE_ON_FAILURE, new SelfFencer(halt));
    }

    public FencingSequence build() {
      if (measures.stream().noneMatch(m -> m.phase() == FencePhase.CLOSE_OUTPUT)) {
        throw new IllegalStateException(
            "a fencing sequence must close the output gate: without it a loser could keep"
                + " talking to clients while the other measures run");
      }
      return new FencingSequence(measures, bound);
    }
  }
}
