package io.ftvm.faults;

import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import java.util.List;
import java.util.Map;

/**
 * What a long-lived pair needs after a round, decided from the nodes' roles and whether their
 * daemons run: nothing (still protected), a rejoin of the other node to the one live survivor, or a
 * fresh pair (no single live survivor: nothing to re-protect).
 *
 * @param action what to do
 * @param survivor the live primary to re-protect (REJOIN only)
 * @param joiner the node to restart empty as its new backup (REJOIN only)
 * @param stopJoinerFirst the joiner's daemon still runs (fenced, HALTED) and must be stopped first
 * @param reason why, in words, for the round's evidence
 */
record ReprotectPlan(
    Action action, String survivor, String joiner, boolean stopJoinerFirst, String reason) {
  enum Action {
    NOTHING,
    REJOIN,
    REPLACE
  }

  static ReprotectPlan decide(Map<String, NodeRole> roles, Map<String, Boolean> daemonAlive) {
    if (PairRoles.ofProtected(roles).isPresent()
        && daemonAlive.getOrDefault(LocalPair.PRIMARY, false)
        && daemonAlive.getOrDefault(LocalPair.BACKUP, false)) {
      return new ReprotectPlan(Action.NOTHING, null, null, false, "still protected");
    }
    List<String> live =
        List.of(LocalPair.PRIMARY, LocalPair.BACKUP).stream()
            .filter(n -> roles.get(n) == NodeRole.PRIMARY_ALONE)
            .filter(n -> daemonAlive.getOrDefault(n, false))
            .toList();
    if (live.size() != 1) {
      return new ReprotectPlan(
          Action.REPLACE,
          null,
          null,
          false,
          live.size() + " live nodes (roles " + roles + ", daemons alive " + daemonAlive + ")");
    }
    String survivor = live.get(0);
    String joiner = PairRoles.otherNode(survivor);
    boolean joinerRuns = daemonAlive.getOrDefault(joiner, false);
    return new ReprotectPlan(
        Action.REJOIN,
        survivor,
        joiner,
        joinerRuns,
        survivor
            + " live alone; "
            + joiner
            + " "
            + roles.get(joiner)
            + (joinerRuns ? " with its daemon running" : ", daemon dead"));
  }
}
