package io.ftvm.fencing;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes the VM's output gate so that nothing more leaves, even while QEMU still runs. */
public final class OutputGateFencer implements Fencer {
  /** Closing a gate is a local state change; anything slower points at a bug. */
  public static final Duration DEFAULT_BOUND = Duration.ofMillis(50);

  private static final Logger log = LoggerFactory.getLogger(OutputGateFencer.class);
  private final OutputGate gate;
  private final Duration bound;

  public OutputGateFencer(OutputGate gate) {
    this(gate, DEFAULT_BOUND);
  }

  public OutputGateFencer(OutputGate gate, Duration bound) {
    this.gate = gate;
    this.bound = bound;
  }

  @Override
  public String name() {
    return "close-output-gate";
  }

  @Override
  public FenceReport fence(FenceRequest request) {
    long start = System.nanoTime();
    FenceStep step;
    try {
      boolean wasClosed = gate.isClosed();
      gate.close();
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      step =
          gate.isClosed()
              ? FenceStep.succeeded(
                  name(), took, wasClosed ? "output gate was already closed" : "output gate closed")
              : FenceStep.failed(name(), took, "output gate still reports open after close()");
    } catch (RuntimeException e) {
      log.error("closing the output gate of {} failed", request.describe(), e);
      step =
          FenceStep.failed(
              name(), Duration.ofNanos(System.nanoTime() - start), "close() threw " + e);
    }
    return FenceReport.single(step, bound);
  }
}
