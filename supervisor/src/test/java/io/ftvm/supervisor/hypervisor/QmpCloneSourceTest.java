package io.ftvm.supervisor.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class QmpCloneSourceTest {
  private static final CloneEndpoints TARGET =
      new CloneEndpoints(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 10809),
          "disk",
          new InetSocketAddress(InetAddress.getLoopbackAddress(), 4444));
  private static final CloneSettings FAST =
      new CloneSettings(
          Duration.ofSeconds(1),
          Duration.ofMillis(1),
          Duration.ofSeconds(2),
          Duration.ofSeconds(2),
          Duration.ofSeconds(2),
          Duration.ofMillis(100),
          1L << 30,
          true);

  private final ScriptedQmp qmp = new ScriptedQmp();
  private final List<CloneProgress> progress = new ArrayList<>();
  private final AtomicReference<String> migration = new AtomicReference<>("active");

  /** A QEMU that clones without trouble; the VM stops at pre-switchover for 40 ms. */
  private void scriptHappyPath(String replayMode) {
    Instant t0 = Instant.now();
    qmp.on("query-replay", "{\"mode\":\"" + replayMode + "\"}")
        .on(
            "query-block-jobs",
            a ->
                ScriptedQmp.parse(
                    migration.get().equals("done")
                        ? "[]"
                        : "[{\"device\":\"ftvm-clone-mirror\",\"offset\":16777216,"
                            + "\"len\":16777216,\"ready\":true}]"))
        .on(
            "migrate",
            a -> {
              migration.set("pre-switchover");
              qmp.emit("STOP", "{}", t0.plusMillis(100));
              qmp.emit("MIGRATION", "{\"status\":\"pre-switchover\"}", t0.plusMillis(101));
              return ScriptedQmp.JSON.createObjectNode();
            })
        .on(
            "query-migrate",
            a ->
                ScriptedQmp.parse(
                    "{\"status\":\""
                        + migration.get()
                        + "\",\"ram\":{\"transferred\":1000,\"remaining\":10}}"))
        .on(
            "block-job-cancel",
            a -> {
              migration.set("done");
              qmp.emit(
                  "BLOCK_JOB_COMPLETED",
                  "{\"device\":\"ftvm-clone-mirror\",\"offset\":16777216,\"len\":16777216}",
                  t0.plusMillis(110));
              return ScriptedQmp.JSON.createObjectNode();
            })
        .on(
            "migrate-continue",
            a -> {
              migration.set("completed");
              qmp.emit("MIGRATION", "{\"status\":\"completed\"}", t0.plusMillis(130));
              return ScriptedQmp.JSON.createObjectNode();
            })
        .on(
            "x-ftvm-record-start",
            a -> {
              // resume:true runs the VM in the same step as the switch (qemu-patches 0014).
              if (a != null && a.path("resume").asBoolean()) {
                qmp.emit("RESUME", "{}", t0.plusMillis(140));
              }
              return ScriptedQmp.JSON.createObjectNode();
            })
        .on(
            "cont",
            a -> {
              qmp.emit("RESUME", "{}", t0.plusMillis(140));
              return ScriptedQmp.JSON.createObjectNode();
            });
  }

  @Test
  void mirrorsMigratesSwitchesInThePauseAndStartsTheNewLog() throws Exception {
    scriptHappyPath("none");

    CloneOutcome outcome =
        new QmpCloneSource(qmp, "d0r", FAST).cloneTo(TARGET, Path.of("/run/a.rr"), progress::add);

    assertThat(qmp.calls())
        .containsSubsequence(
            "query-replay",
            "blockdev-add",
            "blockdev-mirror",
            "query-block-jobs",
            "migrate-set-capabilities",
            "migrate-set-parameters",
            "migrate",
            "block-job-cancel",
            "migrate-continue",
            "blockdev-del",
            "x-ftvm-record-start")
        // A separate cont would let the main loop log events while the VM is stopped.
        .doesNotContain("stop", "x-ftvm-record-stop", "migrate_cancel", "cont");
    assertThat(outcome.pause()).isEqualTo(Duration.ofMillis(40));
    assertThat(outcome.diskBytes()).isEqualTo(16777216);
    assertThat(outcome.ramBytes()).isEqualTo(1000);
    assertThat(progress).extracting(CloneProgress::phase).contains("disk", "paused", "done");
  }

  @Test
  void endsARunningRecordingBeforeCopying() throws Exception {
    scriptHappyPath("record");

    new QmpCloneSource(qmp, "d0r", FAST).cloneTo(TARGET, Path.of("/run/a.rr"), progress::add);

    assertThat(qmp.calls())
        .containsSubsequence("stop", "x-ftvm-record-stop", "cont", "blockdev-mirror");
  }

  @Test
  void refusesAReplayingVm() {
    qmp.on("query-replay", "{\"mode\":\"play\"}");

    assertThatThrownBy(
            () ->
                new QmpCloneSource(qmp, "d0r", FAST)
                    .cloneTo(TARGET, Path.of("/run/a.rr"), progress::add))
        .isInstanceOf(CloneException.class)
        .hasMessageContaining("replay mode 'play'");
    assertThat(qmp.calls()).doesNotContain("blockdev-add");
  }

  @Test
  void aFailedSwitchCancelsTheJobsAndResumesTheVm() throws Exception {
    scriptHappyPath("none");
    qmp.failing("x-ftvm-record-start", "open /run/a.rr: No such file or directory")
        .on("query-status", "{\"status\":\"postmigrate\"}");

    assertThatThrownBy(
            () ->
                new QmpCloneSource(qmp, "d0r", FAST)
                    .cloneTo(TARGET, Path.of("/run/a.rr"), progress::add))
        .isInstanceOf(CloneException.class)
        .hasMessageContaining("x-ftvm-record-start");
    List<String> calls = qmp.calls();
    assertThat(calls).containsSubsequence("blockdev-del", "x-ftvm-record-start");
    assertThat(calls.subList(calls.indexOf("x-ftvm-record-start"), calls.size()))
        .containsSubsequence("query-status", "cont");
  }

  @Test
  void aMigrationThatFailsLeavesTheVmRunningWithoutMirror() throws Exception {
    scriptHappyPath("none");
    qmp.on(
            "migrate",
            a -> {
              migration.set("failed");
              return ScriptedQmp.JSON.createObjectNode();
            })
        .on("query-status", "{\"status\":\"running\"}");

    assertThatThrownBy(
            () ->
                new QmpCloneSource(qmp, "d0r", FAST)
                    .cloneTo(TARGET, Path.of("/run/a.rr"), progress::add))
        .isInstanceOf(CloneException.class)
        .hasMessageContaining("migration failed");
    assertThat(qmp.calls())
        .containsSubsequence("migrate", "migrate_cancel", "block-job-cancel", "blockdev-del")
        .doesNotContain("x-ftvm-record-start", "cont");
  }
}
