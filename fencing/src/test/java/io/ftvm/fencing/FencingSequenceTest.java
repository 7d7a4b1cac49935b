package io.ftvm.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FencingSequenceTest {
  private final List<String> events = new ArrayList<>();
  private final RecordingGate gate = new RecordingGate();
  private final FenceRequest request = new FenceRequest("web-1", 4, "host-a", "host-b", "lost TAS");

  private final class RecordingGate implements OutputGate {
    private boolean closed;

    @Override
    public void close() {
      events.add("gate.close");
      closed = true;
    }

    @Override
    public boolean isClosed() {
      return closed;
    }
  }

  /** Records its call and whether the gate was already closed at that moment. */
  private Fencer recording(String name, boolean succeeds) {
    return new Fencer() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public FenceReport fence(FenceRequest req) {
        events.add(name + (gate.isClosed() ? " (gate closed)" : " (gate OPEN)"));
        FenceStep step =
            succeeds
                ? FenceStep.succeeded(name, Duration.ofMillis(1), "ok")
                : FenceStep.failed(name, Duration.ofMillis(1), "refused");
        return FenceReport.single(step, Duration.ofSeconds(1));
      }
    };
  }

  @Test
  void gateIsClosedBeforeKillAndExternalWhateverTheConfiguredOrder() {
    FencingSequence sequence =
        FencingSequence.builder(Duration.ofSeconds(5))
            .add(FencePhase.EXTERNAL, recording("stonith", true))
            .add(FencePhase.KILL_VM, recording("kill-qemu", true))
            .closeOutput(gate)
            .selfFenceOnFailure(reason -> events.add("HALT"))
            .build();

    FenceReport report = sequence.fence(request);

    assertThat(events)
        .containsExactly("gate.close", "kill-qemu (gate closed)", "stonith (gate closed)");
    assertThat(report.steps())
        .extracting(FenceStep::fencer)
        .containsExactly("close-output-gate", "kill-qemu", "stonith");
    assertThat(report.succeeded()).isTrue();
    assertThat(report.boundMet()).isTrue();
  }

  @Test
  void failedKillStillRunsLaterStepsAndThenSelfFences() {
    List<String> halts = new ArrayList<>();
    FencingSequence sequence =
        FencingSequence.builder(Duration.ofSeconds(5))
            .closeOutput(gate)
            .add(FencePhase.KILL_VM, recording("kill-qemu", false))
            .add(FencePhase.EXTERNAL, recording("stonith", true))
            .selfFenceOnFailure(halts::add)
            .build();

    FenceReport report = sequence.fence(request);

    assertThat(report.steps())
        .extracting(FenceStep::fencer)
        .containsExactly("close-output-gate", "kill-qemu", "stonith", "self-fence");
    assertThat(report.succeeded()).isFalse();
    assertThat(report.failedSteps()).extracting(FenceStep::fencer).containsExactly("kill-qemu");
    assertThat(halts).singleElement().asString().contains("web-1 epoch 4 on node host-a");
    assertThat(report.summary()).startsWith("fencing INCOMPLETE").contains("kill-qemu FAILED");
  }

  @Test
  void throwingMeasureIsRecordedAsFailureAndDoesNotStopTheRest() {
    Fencer exploding =
        new Fencer() {
          @Override
          public String name() {
            return "broken-hook";
          }

          @Override
          public FenceReport fence(FenceRequest req) {
            throw new IllegalStateException("config missing");
          }
        };
    FencingSequence sequence =
        FencingSequence.builder(Duration.ofSeconds(5))
            .closeOutput(gate)
            .add(FencePhase.EXTERNAL, exploding)
            .add(FencePhase.EXTERNAL, recording("second-hook", true))
            .build();

    FenceReport report = sequence.fence(request);

    assertThat(report.steps().get(1).detail()).contains("threw").contains("config missing");
    assertThat(events).contains("second-hook (gate closed)");
  }

  @Test
  void exceededBoundIsReported() {
    FenceReport report =
        FencingSequence.builder(Duration.ofNanos(1)).closeOutput(gate).build().fence(request);

    assertThat(report.succeeded()).isTrue();
    assertThat(report.boundMet()).isFalse();
    assertThat(report.summary()).contains("EXCEEDED");
  }

  @Test
  void sequenceWithoutOutputGateIsRejected() {
    assertThatThrownBy(
            () ->
                FencingSequence.builder(Duration.ofSeconds(1))
                    .add(FencePhase.KILL_VM, recording("kill", true))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must close the output gate");
  }

  @Test
  void closingAnAlreadyClosedGateSucceedsAgain() {
    OutputGateFencer fencer = new OutputGateFencer(gate);

    FenceReport first = fencer.fence(request);
    FenceReport second = fencer.fence(request);

    assertThat(first.succeeded()).isTrue();
    assertThat(second.succeeded()).isTrue();
    assertThat(second.steps().get(0).detail()).isEqualTo("output gate was already closed");
  }

  @Test
  void gateThatStaysOpenIsAFailure() {
    OutputGate stuck =
        new OutputGate() {
          @Override
          public void close() {}

          @Override
          public boolean isClosed() {
            return false;
          }
        };

    FenceReport report = new OutputGateFencer(stuck).fence(request);

    assertThat(report.succeeded()).isFalse();
    assertThat(report.steps().get(0).detail()).contains("still reports open");
  }
}
