package io.ftvm.faults;

import io.ftvm.faults.RoundObservation.GoLiveRecordSeen;
import io.ftvm.faults.RoundObservation.RoleChange;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides a round from its {@link RoundObservation} alone, against issue 7's invariants:
 *
 * <ul>
 *   <li>the pair was protected when the fault struck;
 *   <li>exactly one live node within the bound (or, for a fault the pair must ride out, no role
 *       change at all: no spurious split);
 *   <li>at most one go-live record per (vm, epoch), naming the node that went live; none while
 *       shared storage was unusable;
 *   <li>the loser is harmless: HALTED or its supervisor dead, never live, its QEMU dead within the
 *       bound;
 *   <li>the client's one connection carries on: no gap, no duplicate, no reset, new lines after the
 *       outcome;
 *   <li>nothing left behind.
 * </ul>
 */
public final class RoundChecker {
  private static final List<String> NODES = List.of(LocalPair.PRIMARY, LocalPair.BACKUP);
  private static final Set<NodeRole> HARMLESS = EnumSet.of(NodeRole.HALTED);

  public RoundVerdict check(RoundObservation round) {
    List<String> failures = new ArrayList<>();
    if (round.error() != null) {
      failures.add("round error: " + round.error());
    }
    Map<String, NodeRole> atFault = round.rolesAtFault();
    if (atFault == null || atFault.isEmpty()) {
      if (failures.isEmpty()) {
        failures.add("the fault was never injected");
      }
      return new RoundVerdict(failures, null, -1);
    }
    // Either node may be the primary: a long-lived pair swaps roles with every failover.
    if (PairRoles.ofProtected(atFault).isEmpty()) {
      failures.add("not protected when the fault struck: " + describe(atFault));
      // What follows judges a fault on a protected pair; on anything else it says nothing.
      return new RoundVerdict(failures, null, -1);
    }
    Map<String, Long> firstLive = firstTimeIn(round.roleChanges(), NodeRole.PRIMARY_ALONE);
    String survivor = firstLive.size() == 1 ? firstLive.keySet().iterator().next() : null;
    long faultToLive = survivor == null ? -1 : firstLive.get(survivor) - round.faultStartMillis();
    if (round.expectation().goLive()) {
      checkGoLive(round, firstLive, failures);
    } else {
      checkStayedProtected(round, failures);
    }
    if (round.reprotection() != null && round.reprotection().failure() != null) {
      failures.add("re-protection failed: " + round.reprotection().failure());
    }
    checkStream(round, failures);
    if (!round.leaks().isEmpty()) {
      failures.add("leaked after the round: " + String.join("; ", round.leaks()));
    }
    return new RoundVerdict(failures, survivor, faultToLive);
  }

  private static void checkGoLive(
      RoundObservation round, Map<String, Long> firstLive, List<String> failures) {
    RoundObservation.Expectation expected = round.expectation();
    if (firstLive.isEmpty()) {
      failures.add("no node went live; at the end " + describeEnd(round));
      return;
    }
    if (firstLive.size() > 1) {
      failures.add("two nodes went live: " + firstLive + " (split brain)");
      return;
    }
    String survivor = firstLive.keySet().iterator().next();
    String loser = survivor.equals(LocalPair.PRIMARY) ? LocalPair.BACKUP : LocalPair.PRIMARY;
    long liveAt = firstLive.get(survivor);
    if (expected.survivor() != null && !expected.survivor().equals(survivor)) {
      failures.add("node " + survivor + " went live; expected " + expected.survivor());
    }
    long clockStart =
        expected.liveOnlyAfterFaultEnd() ? round.faultEndMillis() : round.faultStartMillis();
    if (expected.liveOnlyAfterFaultEnd() && liveAt < round.faultEndMillis()) {
      failures.add(
          "node "
              + survivor
              + " went live "
              + (round.faultEndMillis() - liveAt)
              + " ms before the fault was over");
    }
    if (liveAt - clockStart > round.bounds().liveMillis()) {
      failures.add(
          "node "
              + survivor
              + " live only "
              + (liveAt - clockStart)
              + " ms after the fault"
              + (expected.liveOnlyAfterFaultEnd() ? " ended" : "")
              + " (bound "
              + round.bounds().liveMillis()
              + " ms)");
    }
    if (round.finalRoles().get(survivor) != NodeRole.PRIMARY_ALONE) {
      failures.add(
          "survivor " + survivor + " did not stay live: " + round.finalRoles().get(survivor));
    }
    if (round.qemuDeathMillis().containsKey(survivor)) {
      failures.add("survivor " + survivor + "'s QEMU died");
    }
    checkLoser(round, loser, Math.max(liveAt, round.faultEndMillis()), failures);
    checkRecords(round, survivor, failures);
  }

  private static void checkLoser(
      RoundObservation round, String loser, long outcomeAt, List<String> failures) {
    boolean daemonAlive = round.daemonAliveAtEnd().getOrDefault(loser, false);
    NodeRole role = round.finalRoles().get(loser);
    if (daemonAlive && !HARMLESS.contains(role)) {
      failures.add("loser " + loser + " is still " + role + " with its supervisor running");
    }
    Long died = round.qemuDeathMillis().get(loser);
    if (died == null) {
      failures.add("loser " + loser + "'s QEMU still runs at the end of the round");
    } else if (died - outcomeAt > round.bounds().loserQemuMillis()) {
      failures.add(
          "loser "
              + loser
              + "'s QEMU died "
              + (died - outcomeAt)
              + " ms after the go-live (bound "
              + round.bounds().loserQemuMillis()
              + " ms)");
    }
  }

  private static void checkRecords(RoundObservation round, String survivor, List<String> failures) {
    Map<Long, Integer> perEpoch = new HashMap<>();
    for (GoLiveRecordSeen record : round.goLiveRecords()) {
      perEpoch.merge(record.epoch(), 1, Integer::sum);
      if (record.winner() != null && !record.winner().equals(survivor)) {
        failures.add(
            "go-live record " + record.file() + " names " + record.winner() + ", not " + survivor);
      }
      if (round.expectation().liveOnlyAfterFaultEnd()
          && record.firstSeenMillis() < round.faultEndMillis()) {
        failures.add("go-live record " + record.file() + " written while storage was unusable");
      }
    }
    perEpoch.forEach(
        (epoch, count) -> {
          if (count > 1) {
            failures.add(count + " go-live records for epoch " + epoch);
          }
        });
    if (round.goLiveRecords().isEmpty()) {
      failures.add("node " + survivor + " is live without a go-live record");
    }
  }

  private static void checkStayedProtected(RoundObservation round, List<String> failures) {
    for (RoleChange change : round.roleChanges()) {
      if (change.role() != round.rolesAtFault().get(change.node())) {
        failures.add(
            "spurious split: "
                + change.node()
                + " became "
                + change.role()
                + " "
                + (change.atMillis() - round.faultStartMillis())
                + " ms after the fault began ("
                + change.reason()
                + ")");
        break;
      }
    }
    if (!round.goLiveRecords().isEmpty()) {
      failures.add("go-live record written: " + round.goLiveRecords().get(0).file());
    }
    round.qemuDeathMillis().keySet().forEach(node -> failures.add("QEMU of " + node + " died"));
    for (String node : NODES) {
      if (!round.daemonAliveAtEnd().getOrDefault(node, false)) {
        failures.add("supervisor of " + node + " died");
      }
    }
  }

  private static void checkStream(RoundObservation round, List<String> failures) {
    RoundObservation.StreamSummary stream = round.stream();
    if (stream == null) {
      failures.add("no client stream recorded");
      return;
    }
    if (!stream.discontinuities().isEmpty()) {
      failures.add(
          "client stream: "
              + stream.discontinuities().size()
              + " discontinuities, first "
              + stream.discontinuities().get(0));
    }
    if (stream.end() != null) {
      failures.add("client connection ended: " + stream.end());
    }
    // -1: there was no outcome to count from (no node went live), which is reported already.
    if (stream.linesAfterOutcome() >= 0
        && stream.linesAfterOutcome() < round.bounds().linesAfter()) {
      failures.add(
          "client stream stalled: "
              + stream.linesAfterOutcome()
              + " lines after the outcome, wanted "
              + round.bounds().linesAfter()
              + " (longest silence "
              + stream.longestSilenceMillis()
              + " ms)");
    }
  }

  /** Per node, the first time it was seen in {@code role}, in the order nodes reached it. */
  static Map<String, Long> firstTimeIn(List<RoleChange> changes, NodeRole role) {
    Map<String, Long> first = new LinkedHashMap<>();
    for (RoleChange change : changes) {
      if (change.role() == role) {
        first.putIfAbsent(change.node(), change.atMillis());
      }
    }
    return first;
  }

  private static String describe(Map<String, NodeRole> roles) {
    List<String> parts = new ArrayList<>();
    for (String node : NODES) {
      parts.add(node + "=" + Optional.ofNullable(roles.get(node)).map(Enum::name).orElse("?"));
    }
    return String.join(" ", parts);
  }

  private static String describeEnd(RoundObservation round) {
    List<String> parts = new ArrayList<>();
    for (String node : NODES) {
      parts.add(
          node
              + "="
              + Optional.ofNullable(round.finalRoles().get(node)).map(Enum::name).orElse("?")
              + (round.daemonAliveAtEnd().getOrDefault(node, false) ? "" : "(supervisor dead)"));
    }
    return String.join(" ", parts);
  }
}
