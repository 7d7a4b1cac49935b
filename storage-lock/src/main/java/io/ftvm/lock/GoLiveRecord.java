package io.ftvm.lock;

import java.time.Instant;
import java.util.Optional;

/**
 * What the storage says about the winner of (vmId, epoch).
 *
 * <p>The existence of a record is the decision; its content is informational. A record whose
 * content could not be read (e.g. the winner crashed between creating and writing it) still counts
 * as won, by an unknown node: {@link #nodeId()} is empty and {@link #corruption()} says what was
 * wrong.
 */
public record GoLiveRecord(
    String vmId,
    long epoch,
    Optional<String> nodeId,
    String reason,
    Optional<Instant> timestamp,
    Optional<String> corruption) {

  public static GoLiveRecord of(GoLiveClaim claim) {
    return new GoLiveRecord(
        claim.vmId(),
        claim.epoch(),
        Optional.of(claim.nodeId()),
        claim.reason(),
        Optional.of(claim.timestamp()),
        Optional.empty());
  }

  public static GoLiveRecord unknownWinner(String vmId, long epoch, String corruption) {
    return new GoLiveRecord(
        vmId, epoch, Optional.empty(), "", Optional.empty(), Optional.of(corruption));
  }

  public boolean isWonBy(String candidateNodeId) {
    return nodeId.map(candidateNodeId::equals).orElse(false);
  }

  /** One line for logs and status output. */
  public String summary() {
    String who =
        nodeId
            .map(n -> "node " + n)
            .orElse("unknown node (corrupt record: " + corruption.orElse("?") + ")");
    return vmId
        + " epoch "
        + epoch
        + " won by "
        + who
        + timestamp.map(t -> " at " + t).orElse("")
        + (reason.isEmpty() ? "" : " (" + reason + ")");
  }
}
