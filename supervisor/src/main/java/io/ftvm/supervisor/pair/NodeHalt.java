package io.ftvm.supervisor.pair;

import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import io.ftvm.fencing.FencePhase;
import io.ftvm.fencing.FenceReport;
import io.ftvm.fencing.FenceRequest;
import io.ftvm.fencing.Fencer;
import io.ftvm.fencing.FencingSequence;
import io.ftvm.fencing.OutputGate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node harmless, for good: output gates closed first (nothing leaves from here on), then
 * its QEMU killed with SIGKILL and awaited within the kill bound (a QEMU still starting is killed
 * as soon as it is up), then the admin's hook; then the node stops talking to its peer and is
 * HALTED. A node that halts because its own replica failed also tells the peer (PEER_FAILED), so
 * the peer takes over now rather than after the detection timeout.
 */
final class NodeHalt {
  private static final Logger log = LoggerFactory.getLogger(NodeHalt.class);

  /** Stands in for the gates of a node that failed before it had any: nothing to close. */
  private static final OutputGate NO_OUTPUT_YET =
      new OutputGate() {
        @Override
        public void close() {}

        @Override
        public boolean isClosed() {
          return true;
        }
      };

  private final java.util.function.Supplier<NodeIds> ids;
  private final RoleStateMachine roles;
  private final OutputGates outputs;
  private final Replica replica;
  private final PeerLink peer;
  private final Optional<Fencer> hook;
  private final Duration killBound;
  private final Runnable onHalted;

  NodeHalt(
      NodeIds ids,
      RoleStateMachine roles,
      OutputGates outputs,
      Replica replica,
      PeerLink peer,
      Optional<Fencer> hook,
      Duration killBound,
      Runnable onHalted) {
    this(() -> ids, roles, outputs, replica, peer, hook, killBound, onHalted);
  }

  /**
   * @param ids who this node is now (the epoch changes when the node re-protects or joins)
   */
  NodeHalt(
      java.util.function.Supplier<NodeIds> ids,
      RoleStateMachine roles,
      OutputGates outputs,
      Replica replica,
      PeerLink peer,
      Optional<Fencer> hook,
      Duration killBound,
      Runnable onHalted) {
    this.ids = ids;
    this.roles = roles;
    this.outputs = outputs;
    this.replica = replica;
    this.peer = peer;
    this.hook = hook;
    this.killBound = killBound;
    this.onHalted = onHalted;
  }

  /**
   * Fences this node and moves it to HALTED; does nothing if it already is.
   *
   * @return what fencing did, or empty if the node was halted already
   */
  Optional<FenceReport> halt(String why) {
    if (roles.role() == NodeRole.HALTED) {
      return Optional.empty();
    }
    FencingSequence.Builder fence = FencingSequence.builder(killBound.plusSeconds(1));
    List<OutputGate> gates = outputs.gates();
    if (gates.isEmpty()) {
      fence.closeOutput(NO_OUTPUT_YET);
    }
    gates.forEach(fence::closeOutput);
    replica.refuseLaunchesAndGetProcess().ifPresent(qemu -> fence.killProcess(qemu, killBound));
    hook.ifPresent(h -> fence.add(FencePhase.EXTERNAL, h));
    FenceReport report =
        fence
            .build()
            .fence(
                new FenceRequest(
                    ids.get().vmId(), ids.get().epoch(), ids.get().node(), ids.get().peer(), why));
    log.info("halting: {}", report.summary());
    peer.disconnect();
    roles.transition(NodeRole.HALTED, why);
    onHalted.run();
    return Optional.of(report);
  }

  /**
   * This node's own replica failed: go silent, tell the peer where this node's log is complete so
   * it takes over at once, then halt.
   */
  Optional<FenceReport> haltTellingPeer(String why, long logCompleteUpTo) {
    if (roles.role() == NodeRole.HALTED) {
      return Optional.empty();
    }
    outputs.gates().forEach(OutputGate::close);
    boolean told = peer.send(new ControlMessage(ControlType.PEER_FAILED, logCompleteUpTo));
    if (told) {
      log.warn(
          "{}: told {} (PEER_FAILED, log complete up to byte {}); halting",
          why,
          ids.get().peer(),
          logCompleteUpTo);
    } else {
      log.warn(
          "{}: could not tell {} (no session); it takes over after its detection timeout",
          why,
          ids.get().peer());
    }
    return halt(
        why + (told ? "; told " + ids.get().peer() : "; could not tell " + ids.get().peer()));
  }
}
