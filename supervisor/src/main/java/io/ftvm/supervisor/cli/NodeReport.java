package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import java.util.Optional;

/**
 * One node as the admin commands see it: the live status its daemon reported, or, when the daemon
 * does not answer, the role its role file last recorded and why the daemon could not be asked.
 *
 * @param roleLine the role file's line ("ROLE reason"), or "unknown" if there is none
 * @param unreachable why the daemon did not answer; empty when {@code status} is present
 */
record NodeReport(
    String node, Optional<NodeStatus> status, String roleLine, Optional<String> unreachable) {

  static NodeReport answered(String node, NodeStatus status) {
    return new NodeReport(
        node, Optional.of(status), status.role() + " " + status.reason(), Optional.empty());
  }

  static NodeReport silent(String node, String roleLine, String why) {
    return new NodeReport(node, Optional.empty(), roleLine, Optional.of(why));
  }

  /** The live role, else the last recorded one, else empty. */
  Optional<NodeRole> role() {
    if (status.isPresent()) {
      return Optional.of(status.get().role());
    }
    try {
      return Optional.of(NodeRole.valueOf(roleLine.split(" ", 2)[0]));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** E.g. "PRIMARY_PROTECTED" or "HALTED (daemon not running)". */
  String describeRole() {
    if (status.isPresent()) {
      return status.get().role().name();
    }
    return role().map(NodeRole::name).orElse("unknown") + " (" + unreachable.orElse("?") + ")";
  }
}
