package io.ftvm.fencing;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last resort: halts this supervisor. All VM output passes through the supervisor, so once it is
 * gone the local VM cannot reach clients any more even if its QEMU could not be killed.
 */
public final class SelfFencer implements Fencer {
  private static final Logger log = LoggerFactory.getLogger(SelfFencer.class);
  private final SupervisorHalt halt;

  public SelfFencer(SupervisorHalt halt) {
    this.halt = halt;
  }

  @Override
  public String name() {
    return "self-fence";
  }

  @Override
  public FenceReport fence(FenceRequest request) {
    long start = System.nanoTime();
    String reason = "self-fencing supervisor: " + request.describe();
    log.error("{}: halting the supervisor process now", reason);
    halt.halt(reason);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return FenceReport.single(FenceStep.succeeded(name(), took, "supervisor halt requested"), took);
  }
}
