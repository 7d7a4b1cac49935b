package io.ftvm.faults;

import io.ftvm.supervisor.pair.NodeRole;
import java.util.List;
import java.util.Map;

/**
 * Everything one campaign round saw, as plain data: what {@link RoundChecker} decides on, and what
 * a failed round leaves in its work directory ({@code observation.json}) so the verdict can be
 * re-derived and argued about later. Times are epoch milliseconds of this machine's clock.
 *
 * @param fault the fault's campaign name
 * @param expectation what must happen (go-live of one node, or nothing at all)
 * @param bounds the bounds the round is judged against
 * @param error why the round could not run to the end (pair did not start, injection failed), or
 *     null
 * @param rolesAtFault each node's role when the fault struck (null if the round never got there)
 * @param faultStartMillis when the injection began
 * @param faultEndMillis when the fault was over (the resource restored, the process resumed); the
 *     same as the start for instant faults such as a kill
 * @param roleChanges every role change seen by polling the nodes' role files after the fault
 * @param qemuDeathMillis per node, when its QEMU was first seen dead; absent if alive at the end
 * @param finalRoles each node's role at the end of the observation
 * @param daemonAliveAtEnd whether each node's supervisor still ran at the end of the observation
 * @param goLiveRecords the go-live records on the shared storage at the end of the observation
 * @param stream what the client on its one TCP connection received
 * @param leaks what the round left behind after its pair was closed
 * @param reprotection what a long-lived pair supply did after the round to make the pair protected
 *     again; null where nothing was to be done (a fresh pair per round, or the pair stayed
 *     protected)
 */
public record RoundObservation(
    String fault,
    Expectation expectation,
    Bounds bounds,
    String error,
    Map<String, NodeRole> rolesAtFault,
    long faultStartMillis,
    long faultEndMillis,
    List<RoleChange> roleChanges,
    Map<String, Long> qemuDeathMillis,
    Map<String, NodeRole> finalRoles,
    Map<String, Boolean> daemonAliveAtEnd,
    List<GoLiveRecordSeen> goLiveRecords,
    StreamSummary stream,
    List<String> leaks,
    Reprotection reprotection) {

  /**
   * The re-protection after a round on a long-lived pair: the fenced or dead node rejoined empty
   * and the survivor protected again at the next epoch.
   *
   * @param survivor the node that stayed primary
   * @param joiner the node restarted to join as the new backup
   * @param epoch the epoch the pair is protected at afterwards (0 if it never got there)
   * @param rejoinToProtectedMillis from the rejoin to the survivor PRIMARY_PROTECTED within the
   *     replay bound; -1 if it did not get there
   * @param failure why the pair could not be protected again, or null
   */
  public record Reprotection(
      String survivor, String joiner, long epoch, long rejoinToProtectedMillis, String failure) {
    static Reprotection failed(String survivor, String joiner, String failure) {
      return new Reprotection(survivor, joiner, 0, -1, failure);
    }
  }

  /**
   * What a fault must lead to.
   *
   * @param goLive true: exactly one node ends PRIMARY_ALONE; false: the pair stays protected
   * @param survivor the node that must go live, or null if either may (the arbiter decides)
   * @param liveOnlyAfterFaultEnd nobody may go live before the fault is over (shared storage
   *     unusable: nobody can win the test-and-set), and the live bound counts from its end
   */
  public record Expectation(boolean goLive, String survivor, boolean liveOnlyAfterFaultEnd) {
    public static Expectation staysProtected() {
      return new Expectation(false, null, false);
    }

    public static Expectation goesLive(String survivor) {
      return new Expectation(true, survivor, false);
    }
  }

  /**
   * @param liveMillis a node must be live this long after the fault (after its end where {@link
   *     Expectation#liveOnlyAfterFaultEnd})
   * @param loserQemuMillis the loser's QEMU must be dead this long after the later of the
   *     survivor's go-live and the fault's end
   * @param linesAfter the client must receive this many lines after the outcome (go-live, or the
   *     fault's end when the pair stays protected)
   */
  public record Bounds(long liveMillis, long loserQemuMillis, int linesAfter) {}

  /** A role as read from a node's role file, with the reason the node gave for it. */
  public record RoleChange(long atMillis, String node, NodeRole role, String reason) {}

  /**
   * A go-live record file of the pair's VM on the shared storage.
   *
   * @param winner the node the record names, or null if unreadable
   */
  public record GoLiveRecordSeen(String file, long epoch, String winner, long firstSeenMillis) {}

  /**
   * @param lines numbers received in total
   * @param discontinuities gaps and duplicates (a duplicate is what a second live copy produces)
   * @param end how the connection ended (reset, closed) if it did, else null
   * @param linesAfterOutcome lines received after the go-live (or, if none was expected, after the
   *     fault's end)
   * @param longestSilenceMillis the longest pause between two lines from the fault on
   */
  public record StreamSummary(
      int lines,
      List<String> discontinuities,
      String end,
      int linesAfterOutcome,
      long longestSilenceMillis) {}
}
