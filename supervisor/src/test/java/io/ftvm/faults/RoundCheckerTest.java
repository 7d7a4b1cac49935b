package io.ftvm.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The checker on a recorded round (kill -9 of host A, passed on the real pair; {@code
 * faults/kill-host-a-passed.json}) and on copies of it with one thing changed, so each invariant is
 * shown to fail when it is broken.
 */
class RoundCheckerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long FAULT = 1796114770023L;

  private final RoundChecker checker = new RoundChecker();

  @Test
  void theRecordedKillOfHostAPasses() throws IOException {
    RoundVerdict verdict = checker.check(recorded(json -> {}));

    assertThat(verdict.failures()).isEmpty();
    assertThat(verdict.survivor()).isEqualTo("b");
    assertThat(verdict.faultToLiveMillis()).isEqualTo(1532);
  }

  @Test
  void twoLiveNodesAreASplitBrain() throws IOException {
    RoundVerdict verdict =
        checker.check(recorded(json -> addRoleChange(json, FAULT + 700, "a", "PRIMARY_ALONE")));

    assertThat(verdict.passed()).isFalse();
    assertThat(verdict.failures()).anyMatch(f -> f.contains("two nodes went live"));
  }

  @Test
  void noLiveNodeFails() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(
                json -> {
                  ((ArrayNode) json.get("roleChanges")).remove(1);
                  ((ObjectNode) json.get("finalRoles")).put("b", "GOING_LIVE");
                  ((ObjectNode) json.get("stream")).put("linesAfterOutcome", -1);
                }));

    assertThat(verdict.failures())
        .anyMatch(f -> f.startsWith("no node went live") && f.contains("b=GOING_LIVE"));
    assertThat(verdict.survivor()).isNull();
  }

  @Test
  void aGoLiveLaterThanTheBoundFails() throws IOException {
    RoundVerdict verdict =
        checker.check(recorded(json -> ((ObjectNode) json.get("bounds")).put("liveMillis", 1000)));

    assertThat(verdict.failures())
        .containsExactly("node b live only 1532 ms after the fault (bound 1000 ms)");
  }

  @Test
  void theWrongSurvivorFails() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(json -> ((ObjectNode) json.get("expectation")).put("survivor", "a")));

    assertThat(verdict.failures()).anyMatch(f -> f.contains("node b went live; expected a"));
  }

  @Test
  void eitherSurvivorIsFineWhereTheArbiterDecides() throws IOException {
    RoundVerdict verdict =
        checker.check(recorded(json -> ((ObjectNode) json.get("expectation")).putNull("survivor")));

    assertThat(verdict.failures()).isEmpty();
  }

  @Test
  void aLoserWhoseQemuRunsOnFails() throws IOException {
    RoundVerdict alive =
        checker.check(recorded(json -> ((ObjectNode) json.get("qemuDeathMillis")).remove("a")));
    RoundVerdict late =
        checker.check(
            recorded(json -> ((ObjectNode) json.get("qemuDeathMillis")).put("a", FAULT + 9000)));

    assertThat(alive.failures())
        .containsExactly("loser a's QEMU still runs at the end of the round");
    assertThat(late.failures()).anyMatch(f -> f.startsWith("loser a's QEMU died 7468 ms after"));
  }

  @Test
  void aLoserThatMayStillReleaseOutputFails() throws IOException {
    RoundVerdict verdict =
        checker.check(recorded(json -> ((ObjectNode) json.get("daemonAliveAtEnd")).put("a", true)));

    assertThat(verdict.failures())
        .containsExactly("loser a is still PRIMARY_PROTECTED with its supervisor running");
  }

  @Test
  void aHaltedLoserWithItsSupervisorRunningIsHarmless() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(
                json -> {
                  ((ObjectNode) json.get("daemonAliveAtEnd")).put("a", true);
                  ((ObjectNode) json.get("finalRoles")).put("a", "HALTED");
                }));

    assertThat(verdict.failures()).isEmpty();
  }

  @Test
  void goLiveRecordsMustBeOnePerEpochAndNameTheSurvivor() throws IOException {
    RoundVerdict second =
        checker.check(
            recorded(
                json -> {
                  ObjectNode copy = ((ObjectNode) json.get("goLiveRecords").get(0)).deepCopy();
                  copy.put("file", "epoch-1.golive.dup");
                  ((ArrayNode) json.get("goLiveRecords")).add(copy);
                }));
    RoundVerdict foreign =
        checker.check(
            recorded(json -> ((ObjectNode) json.get("goLiveRecords").get(0)).put("winner", "a")));
    RoundVerdict none =
        checker.check(recorded(json -> ((ArrayNode) json.get("goLiveRecords")).removeAll()));

    assertThat(second.failures()).containsExactly("2 go-live records for epoch 1");
    assertThat(foreign.failures()).containsExactly("go-live record epoch-1.golive names a, not b");
    assertThat(none.failures()).containsExactly("node b is live without a go-live record");
  }

  @Test
  void withStorageUnusableNobodyMayWinBeforeItIsBack() throws IOException {
    Consumer<ObjectNode> storageRound =
        json -> {
          ((ObjectNode) json.get("expectation")).put("liveOnlyAfterFaultEnd", true);
          json.put("faultEndMillis", FAULT + 3000);
        };
    RoundVerdict early = checker.check(recorded(storageRound));
    RoundVerdict afterRestore =
        checker.check(
            recorded(
                storageRound.andThen(
                    json -> {
                      ((ObjectNode) json.get("roleChanges").get(1)).put("atMillis", FAULT + 3400);
                      ((ObjectNode) json.get("goLiveRecords").get(0))
                          .put("firstSeenMillis", FAULT + 3300);
                      ((ObjectNode) json.get("qemuDeathMillis")).put("a", FAULT + 40);
                    })));

    assertThat(early.failures())
        .contains(
            "node b went live 1468 ms before the fault was over",
            "go-live record epoch-1.golive written while storage was unusable");
    assertThat(afterRestore.failures()).isEmpty();
  }

  @Test
  void aGapADuplicateOrAResetInTheClientStreamFails() throws IOException {
    RoundVerdict duplicate =
        checker.check(
            recorded(
                json ->
                    ((ArrayNode) json.get("stream").get("discontinuities"))
                        .add("line 300: got 250, expected 300 (duplicate)")));
    RoundVerdict reset =
        checker.check(
            recorded(
                json ->
                    ((ObjectNode) json.get("stream")).put("end", "END error Connection reset")));
    RoundVerdict stalled =
        checker.check(
            recorded(json -> ((ObjectNode) json.get("stream")).put("linesAfterOutcome", 12)));

    assertThat(duplicate.failures())
        .containsExactly(
            "client stream: 1 discontinuities, first line 300: got 250, expected 300 (duplicate)");
    assertThat(reset.failures())
        .containsExactly("client connection ended: END error Connection reset");
    assertThat(stalled.failures())
        .containsExactly(
            "client stream stalled: 12 lines after the outcome, wanted 200 (longest silence 2876"
                + " ms)");
  }

  @Test
  void aPairThatWasNotProtectedWhenTheFaultStruckFailsForThatAlone() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(json -> ((ObjectNode) json.get("rolesAtFault")).put("a", "PRIMARY_ALONE")));

    assertThat(verdict.failures())
        .containsExactly("not protected when the fault struck: a=PRIMARY_ALONE b=BACKUP_REPLAYING");
  }

  @Test
  void leftoversFail() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(json -> ((ArrayNode) json.get("leaks")).add("namespace ftvm-7b721e-b")));

    assertThat(verdict.failures())
        .containsExactly("leaked after the round: namespace ftvm-7b721e-b");
  }

  @Test
  void aRoundWithoutFaultPassesOnlyIfNothingChanges() throws IOException {
    Consumer<ObjectNode> quiet =
        json -> {
          json.put("fault", "none");
          ObjectNode expectation = (ObjectNode) json.get("expectation");
          expectation.put("goLive", false);
          expectation.putNull("survivor");
          ((ArrayNode) json.get("roleChanges")).removeAll();
          ((ObjectNode) json.get("qemuDeathMillis")).removeAll();
          ((ArrayNode) json.get("goLiveRecords")).removeAll();
          ((ObjectNode) json.get("finalRoles"))
              .put("a", "PRIMARY_PROTECTED")
              .put("b", "BACKUP_REPLAYING");
          ((ObjectNode) json.get("daemonAliveAtEnd")).put("a", true).put("b", true);
        };
    RoundVerdict calm = checker.check(recorded(quiet));
    RoundVerdict split =
        checker.check(
            recorded(
                quiet.andThen(
                    json ->
                        addRoleChange(json, FAULT + 4200, "b", "GOING_LIVE")
                            .put("reason", "primary lost: no frame from peer for 512 ms"))));

    assertThat(calm.failures()).isEmpty();
    assertThat(calm.faultToLiveMillis()).isEqualTo(-1);
    assertThat(split.failures())
        .containsExactly(
            "spurious split: b became GOING_LIVE 4200 ms after the fault began (primary lost: no"
                + " frame from peer for 512 ms)");
  }

  @Test
  void onALongLivedPairWithSwappedRolesTheMirroredRoundPasses() throws IOException {
    // b is primary after an earlier failover; the fault killed b's host, a went live at epoch 2;
    // epoch 1's record belongs to the earlier round and is not in the observation.
    RoundVerdict verdict = checker.check(recorded(RoundCheckerTest::swapNodes));

    assertThat(verdict.failures()).isEmpty();
    assertThat(verdict.survivor()).isEqualTo("a");
  }

  @Test
  void aFailedReprotectionFailsTheRound() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(
                json ->
                    json.putObject("reprotection")
                        .put("survivor", "b")
                        .put("joiner", "a")
                        .put("epoch", 0)
                        .put("rejoinToProtectedMillis", -1)
                        .put("failure", "b not protected at epoch 2 within 180 s")));

    assertThat(verdict.failures())
        .containsExactly("re-protection failed: b not protected at epoch 2 within 180 s");
  }

  @Test
  void aSwappedPairMustStayAsItWasWhenNoFaultStrikes() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(
                json -> {
                  swapNodes(json);
                  json.put("fault", "none");
                  ObjectNode expectation = (ObjectNode) json.get("expectation");
                  expectation.put("goLive", false);
                  expectation.putNull("survivor");
                  ((ArrayNode) json.get("roleChanges")).removeAll();
                  ((ObjectNode) json.get("qemuDeathMillis")).removeAll();
                  ((ArrayNode) json.get("goLiveRecords")).removeAll();
                  ((ObjectNode) json.get("finalRoles"))
                      .put("b", "PRIMARY_PROTECTED")
                      .put("a", "BACKUP_REPLAYING");
                  ((ObjectNode) json.get("daemonAliveAtEnd")).put("a", true).put("b", true);
                  // b staying PRIMARY_PROTECTED is no change; a becoming primary would be.
                  addRoleChange(json, FAULT + 100, "b", "PRIMARY_PROTECTED");
                }));

    assertThat(verdict.failures()).isEmpty();
  }

  /** The recorded round with a and b exchanged, at epoch 2. */
  private static void swapNodes(ObjectNode json) {
    ((ObjectNode) json.get("expectation")).put("survivor", "a");
    ((ObjectNode) json.get("rolesAtFault"))
        .put("a", "BACKUP_REPLAYING")
        .put("b", "PRIMARY_PROTECTED");
    for (var change : json.get("roleChanges")) {
      ((ObjectNode) change).put("node", "a");
    }
    json.putObject("qemuDeathMillis").put("b", 1796114770064L);
    json.putObject("finalRoles").put("a", "PRIMARY_ALONE").put("b", "PRIMARY_PROTECTED");
    json.putObject("daemonAliveAtEnd").put("a", true).put("b", false);
    ObjectNode record = (ObjectNode) json.get("goLiveRecords").get(0);
    record.put("file", "epoch-2.golive").put("epoch", 2).put("winner", "a");
  }

  @Test
  void aRoundThatNeverGotToItsFaultFails() throws IOException {
    RoundVerdict verdict =
        checker.check(
            recorded(
                json -> {
                  json.put("error", "java.io.IOException: node a did not reach the expected role");
                  json.putNull("rolesAtFault");
                }));

    assertThat(verdict.failures())
        .containsExactly(
            "round error: java.io.IOException: node a did not reach the expected role");
  }

  private static RoundObservation recorded(Consumer<ObjectNode> change) throws IOException {
    try (InputStream in =
        RoundCheckerTest.class.getResourceAsStream("/faults/kill-host-a-passed.json")) {
      ObjectNode json = (ObjectNode) JSON.readTree(in);
      change.accept(json);
      return JSON.treeToValue(json, RoundObservation.class);
    }
  }

  private static ObjectNode addRoleChange(ObjectNode json, long at, String node, String role) {
    ObjectNode change = ((ArrayNode) json.get("roleChanges")).addObject();
    change.put("atMillis", at).put("node", node).put("role", role).put("reason", "test");
    return change;
  }
}
