package io.ftvm.supervisor.pair;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.GoLiveClaim;
import io.ftvm.lock.GoLiveDecision;
import io.ftvm.lock.StorageUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the arbiter whether this node may go live for (vm, epoch). Safety over liveness: while
 * shared storage does not answer, nobody may go live, so it keeps asking (the caller keeps holding
 * outputs) rather than ever treating silence as a win.
 */
final class GoLiveClaimant {
  private static final Logger log = LoggerFactory.getLogger(GoLiveClaimant.class);

  /** How a claim ended: won, or lost to the recorded winner. */
  record Outcome(boolean won, String winner) {}

  private final GoLiveArbiter arbiter;
  private final String vmId;
  private final long epoch;
  private final String nodeId;
  private final Duration retry;

  GoLiveClaimant(GoLiveArbiter arbiter, String vmId, long epoch, String nodeId, Duration retry) {
    this.arbiter = arbiter;
    this.vmId = vmId;
    this.epoch = epoch;
    this.nodeId = nodeId;
    this.retry = retry;
  }

  /**
   * Blocks until the arbiter decides.
   *
   * @return empty only if interrupted while storage was unavailable (then nobody won for us)
   */
  Optional<Outcome> claim(String why) {
    GoLiveClaim claim = new GoLiveClaim(vmId, epoch, nodeId, why, Instant.now());
    while (true) {
      try {
        GoLiveDecision decision = arbiter.tryGoLive(claim);
        if (decision.won()) {
          log.info("won go-live for {} epoch {}", vmId, epoch);
          return Optional.of(new Outcome(true, nodeId));
        }
        return Optional.of(new Outcome(false, decision.winner().summary()));
      } catch (StorageUnavailableException e) {
        log.warn("shared storage unavailable, holding outputs and retrying: {}", e.getMessage());
        try {
          Thread.sleep(retry.toMillis());
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return Optional.empty();
        }
      }
    }
  }
}
