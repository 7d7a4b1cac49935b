package io.ftvm.faults;

import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.topology.HostRole;
import java.util.Map;
import java.util.Optional;

/**
 * Which node is the primary and which the backup of a protected pair right now. A fresh pair starts
 * as a = primary, b = backup; a long-lived pair swaps them with every failover, so the campaign's
 * faults ("kill the primary's QEMU", "kill host A") act on the roles, not on the names.
 */
record PairRoles(String primary, String backup) {
  /** A fresh pair: node a (on host A) records, node b (on host B) replays. */
  static final PairRoles INITIAL = new PairRoles(LocalPair.PRIMARY, LocalPair.BACKUP);

  /** The roles of a protected pair, or empty if the nodes are not one protected pair. */
  static Optional<PairRoles> ofProtected(Map<String, NodeRole> roles) {
    for (String node : new String[] {LocalPair.PRIMARY, LocalPair.BACKUP}) {
      String other = otherNode(node);
      if (roles.get(node) == NodeRole.PRIMARY_PROTECTED
          && roles.get(other) == NodeRole.BACKUP_REPLAYING) {
        return Optional.of(new PairRoles(node, other));
      }
    }
    return Optional.empty();
  }

  /**
   * The node that plays, now, the part {@code initialNode} played in a fresh pair: a fault written
   * as "the backup (b) survives" means "the current backup survives".
   */
  String now(String initialNode) {
    if (initialNode == null) {
      return null;
    }
    return initialNode.equals(INITIAL.primary()) ? primary : backup;
  }

  HostRole primaryHost() {
    return hostOf(primary);
  }

  HostRole backupHost() {
    return hostOf(backup);
  }

  /** Where LocalPair puts a node: a on host A, b on host B. */
  static HostRole hostOf(String node) {
    return node.equals(LocalPair.PRIMARY) ? HostRole.A : HostRole.B;
  }

  static String otherNode(String node) {
    return node.equals(LocalPair.PRIMARY) ? LocalPair.BACKUP : LocalPair.PRIMARY;
  }
}
