package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.pair.PairConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * start/status/failover/stop in-process against fake control sockets and files; no QEMU, no
 * namespaces.
 */
class PairCommandsTest {
  @TempDir Path state;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private String dir() {
    return state.toString();
  }

  private void writePairConfig() throws Exception {
    new PairConfig(
            "vm-unit",
            3,
            "a",
            Path.of("/opt/qemu"),
            new PairConfig.GuestSpec(
                Path.of("/k"), Path.of("/i"), "console=ttyS0", 256, "52:54:00:12:34:56", "x"),
            Map.of(
                "a",
                new PairConfig.NodeSpec(
                    state.resolve("a"),
                    state.resolve("a/disk.img"),
                    "10.78.0.1",
                    7400,
                    "tap0",
                    "br0"),
                "b",
                new PairConfig.NodeSpec(
                    state.resolve("b"),
                    state.resolve("b/disk.img"),
                    "10.78.0.2",
                    7400,
                    "tap0",
                    "br0")),
            state.resolve("shared"),
            state.resolve("channel.key"),
            PairConfig.Timing.defaults(),
            null)
        .write(state.resolve("pair.json"));
    Files.createDirectories(state.resolve("a"));
    Files.createDirectories(state.resolve("b"));
  }

  private static NodeStatus primary() {
    return NodeStatus.builder()
        .node("a")
        .vmId("vm-unit")
        .epoch(3)
        .role(NodeRole.PRIMARY_PROTECTED)
        .reason("backup connected")
        .uptimeMillis(65_000)
        .qemuPid(4242)
        .logProduced(2 * 1024 * 1024)
        .logSent(2 * 1024 * 1024)
        .logAcked(2 * 1024 * 1024 - 4096)
        .logBytesPerSecond(409_600)
        .ackRttP50Micros(410)
        .ackRttP99Micros(2100)
        .outputHoldP50Micros(900)
        .outputHoldP99Micros(3200)
        .heldFrames(2)
        .heldBytes(1200)
        .maxHeartbeatGapMillis(230)
        .heartbeatGapP999Millis(118)
        .maxLocalStallMillis(41)
        .build();
  }

  private static NodeStatus backup(NodeRole role) {
    return backup(role, false);
  }

  private static NodeStatus backup(NodeRole role, boolean stalled) {
    return NodeStatus.builder()
        .node("b")
        .vmId("vm-unit")
        .epoch(3)
        .role(role)
        .reason(role == NodeRole.PRIMARY_ALONE ? "planned failover from a" : "following a")
        .uptimeMillis(66_000)
        .qemuPid(4343)
        .logReceived(2 * 1024 * 1024)
        .logReplayed(2 * 1024 * 1024 - 8192)
        .logAcked(2 * 1024 * 1024)
        .replayBacklogBytes(8192)
        .replayLagMillis(35)
        .replayStalled(stalled)
        .logBytesPerSecond(409_600)
        .build();
  }

  // ---- start: argument validation ----

  @Test
  void startWithoutAModeSaysWhatToStart() {
    assertThat(run("start")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .contains("say what to start: --pair")
        .contains("--config <file> --node <a|b>");
  }

  @Test
  void startRejectsPairTogetherWithConfig() {
    assertThat(run("start", "--pair", "--config", "/etc/ftvm/pair.json"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--pair (a pair on this machine) and --config");
  }

  @Test
  void startWithConfigNeedsTheNode() {
    assertThat(run("start", "--config", "/etc/ftvm/pair.json"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--config needs --node");
  }

  @Test
  void startWithConfigRejectsOptionsThatComeFromTheConfig() {
    assertThat(run("start", "--config", "/etc/ftvm/pair.json", "--node", "a", "--vm", "/x"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .contains("--vm only applies with --pair; with --config it comes from /etc/ftvm/pair.json");
  }

  @Test
  void startPairRejectsHostOnlyOptions() {
    assertThat(run("start", "--pair", "--node", "a")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--node only applies with --config");
  }

  @Test
  void startPairRejectsJoin() {
    assertThat(run("start", "--pair", "--join")).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--join only applies with --config");
  }

  @Test
  void startWithConfigRejectsJoinTogetherWithUnprotected() {
    assertThat(
            run(
                "start",
                "--config",
                "/etc/ftvm/pair.json",
                "--node",
                "b",
                "--join",
                "--unprotected"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--join (become the backup").contains("exclude each other");
  }

  @Test
  void startPairRejectsADetectionTimeoutBelowTheHeartbeatFloor() {
    assertThat(run("start", "--pair", "--detection-timeout", "10ms", "--state-dir", dir()))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--detection-timeout 10ms is too short").contains("50ms");
  }

  @Test
  void startWithConfigThatDoesNotExistFailsNamingIt() {
    int exit = run("start", "--config", state.resolve("missing.json").toString(), "--node", "a");

    assertThat(exit).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString()).contains("pair config " + state.resolve("missing.json"));
  }

  @Test
  void startPairRejectsATestVmThatDoesNotExist() {
    int exit = run("start", "--pair", "--state-dir", dir(), "--vm", "/nonexistent/vm");

    assertThat(exit).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString())
        .contains("ftvm start: test VM /nonexistent/vm is neither a directory nor a vm.json");
  }

  @Test
  void startPairListsWhyADescribedVmCannotRunAndRefusesAWorkloadForIt() throws Exception {
    Path description = state.resolve("db.json");
    Files.writeString(
        description,
        """
        {"format": 2, "name": "db", "memoryMiB": 512, "vcpus": 2, "boot": {"from": "disk"},
         "disks": [{"file": "root.img", "format": "raw", "bus": "virtio"}],
         "nics": [{"mac": "52:54:00:aa:bb:cc", "model": "virtio-net"}]}
        """);

    int exit = run("start", "--pair", "--state-dir", dir() + "/s", "--vm", description.toString());

    assertThat(exit).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString()).contains("vcpus").contains("root.img");
    assertThat(state.resolve("s/pair.json")).doesNotExist();

    Files.write(state.resolve("root.img"), new byte[512]);
    Files.writeString(description, Files.readString(description).replace("\"vcpus\": 2, ", ""));
    err.getBuffer().setLength(0);
    exit =
        run(
            "start",
            "--pair",
            "--state-dir",
            dir() + "/s",
            "--vm",
            description.toString(),
            "--workload",
            "net");

    assertThat(exit).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString()).contains("--workload applies to the test VM only");
  }

  @Test
  void startPairNamesTheFileATestVmLacks() throws Exception {
    Path vm = Files.createDirectories(state.resolve("vm"));
    for (String file : List.of("vm.json", "vmlinuz", "initrd.img")) {
      Files.writeString(vm.resolve(file), "x");
    }

    int exit =
        run(
            "start",
            "--pair",
            "--state-dir",
            dir() + "/s",
            "--vm",
            vm.resolve("vm.json").toString());

    assertThat(exit).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString())
        .contains("test VM directory " + vm + " has no disk.img")
        .contains("expected vm.json, vmlinuz, initrd.img, disk.img");
  }

  @Test
  void startPairRefusesAQemuWithoutTheFtvmPatches() throws Exception {
    Path vm = Files.createDirectories(state.resolve("vm"));
    for (String file : TestVmDirectory.REQUIRED_FILES) {
      Files.writeString(vm.resolve(file), "x");
    }
    Path fakeQemu = state.resolve("qemu-system-x86_64");
    Files.writeString(
        fakeQemu, "#!/bin/sh\necho 'QEMU emulator version 10.0.13 (Debian 1:10.0.13+ds-1)'\n");
    fakeQemu.toFile().setExecutable(true);

    int exit =
        run(
            "start",
            "--pair",
            "--state-dir",
            dir() + "/s",
            "--vm",
            vm.toString(),
            "--qemu",
            fakeQemu.toString());

    assertThat(exit).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString()).startsWith("ftvm start: ").contains(fakeQemu.toString());
    assertThat(state.resolve("s/pair.json")).doesNotExist();
  }

  @Test
  void startRefusesAStateDirectoryWhoseDaemonStillRuns() throws Exception {
    writePairConfig();
    Path config = state.resolve("pair.json");
    // Looks like a daemon of this pair to the liveness check: " daemon " and the config path.
    Process fakeDaemon =
        new ProcessBuilder("bash", "-c", "sleep 60; true", "daemon", "--config", config.toString())
            .start();
    try {
      Files.writeString(
          state.resolve("local-pair.json"),
          "{\"pairId\":\"abc123\",\"namespaces\":[],\"daemonPids\":{\"a\":"
              + fakeDaemon.pid()
              + "}}");

      int exit = run("start", "--pair", "--state-dir", dir(), "--vm", "/nonexistent");

      assertThat(exit).isEqualTo(CliErrors.FAILURE);
      assertThat(err.toString())
          .contains("a pair is already running in " + state)
          .contains("pair abc123, daemon a pid " + fakeDaemon.pid())
          .contains("stop it first with 'ftvm stop --state-dir " + state + "'");
    } finally {
      fakeDaemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void startRefusesAStateDirectoryWhereASupervisorAnswers() throws Exception {
    writePairConfig();
    try (FakeControlServer a =
        FakeControlServer.at(state.resolve("a"), PairCommandsTest::primary)) {
      int exit = run("start", "--pair", "--state-dir", dir(), "--vm", "/nonexistent");

      assertThat(exit).isEqualTo(CliErrors.FAILURE);
      assertThat(err.toString())
          .contains("a supervisor for node a is running in " + state)
          .contains("control.sock");
    }
  }

  @Test
  void aRecordedPidThatNowBelongsToAnotherProcessIsNotTakenForADaemon() {
    PairDaemon daemon = new PairDaemon("a", ProcessHandle.current().pid(), state.resolve("p.json"));

    assertThat(daemon.running()).isEmpty();
    assertThat(daemon.isOurDaemon("java -cp x FtvmCommand daemon --config " + state + "/p.json"))
        .isTrue();
  }

  // ---- status ----

  @Test
  void statusWithoutAPairSaysWhereItLookedAndHowToStartOne() {
    assertThat(run("status", "--state-dir", dir())).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString())
        .isEqualTo(
            "ftvm status: no pair in "
                + state
                + " (no pair.json and no node control.sock); start one with 'ftvm start --pair"
                + " --state-dir "
                + state
                + "' or pass the --state-dir of a running pair\n");
  }

  @Test
  void statusShowsEachNodesLiveFigures() throws Exception {
    writePairConfig();
    try (FakeControlServer a = FakeControlServer.at(state.resolve("a"), PairCommandsTest::primary);
        FakeControlServer b =
            FakeControlServer.at(state.resolve("b"), () -> backup(NodeRole.BACKUP_REPLAYING))) {
      assertThat(run("status", "--state-dir", dir())).isZero();
    }
    String table = out.toString();
    assertThat(table.lines().findFirst()).contains("vm vm-unit   state dir " + state);
    assertThat(table)
        .containsPattern("role +PRIMARY_PROTECTED +BACKUP_REPLAYING")
        .containsPattern("epoch +3 +3")
        .containsPattern("log produced +2.00 MiB +-")
        .containsPattern("log acked +2.00 MiB +2.00 MiB")
        .containsPattern("log replayed +- +1.99 MiB")
        .containsPattern("lag +4.00 KiB / 10 ms +8.00 KiB / 35 ms")
        .containsPattern("replay +- +following")
        .containsPattern("log rate +400.00 KiB/s +400.00 KiB/s")
        .containsPattern("ack rtt p50/p99 +0.41 ms / 2.10 ms +-")
        .containsPattern("output hold p50/p99 +0.90 ms / 3.20 ms")
        .containsPattern("held output +2 frames, 1.17 KiB")
        .containsPattern("throttled +no +-")
        .containsPattern("max heartbeat gap +230 ms \\(p99.9 118 ms\\) +-")
        .containsPattern("max local stall +41 ms +-")
        .containsPattern("uptime +1m 05s +1m 06s");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void statusShowsAStalledReplay() throws Exception {
    writePairConfig();
    try (FakeControlServer a = FakeControlServer.at(state.resolve("a"), PairCommandsTest::primary);
        FakeControlServer b =
            FakeControlServer.at(
                state.resolve("b"), () -> backup(NodeRole.BACKUP_REPLAYING, true))) {
      assertThat(run("status", "--state-dir", dir())).isZero();
    }
    assertThat(out.toString())
        .containsPattern("replay +- +STALLED \\(QEMU stopped consuming log\\)");
  }

  @Test
  void statusShowsTheRecordedRoleOfANodeWhoseDaemonIsGone() throws Exception {
    writePairConfig();
    Files.writeString(state.resolve("a/role"), "HALTED planned failover: handed off to b\n");
    try (FakeControlServer b =
        FakeControlServer.at(state.resolve("b"), () -> backup(NodeRole.PRIMARY_ALONE))) {
      assertThat(run("status", "--state-dir", dir())).isZero();
    }
    assertThat(out.toString())
        .containsPattern("role +HALTED \\(daemon not running\\) +PRIMARY_ALONE")
        .containsPattern("reason +planned failover: handed off to b +planned failover from a");
  }

  @Test
  void statusJsonCarriesRawNumbers() throws Exception {
    writePairConfig();
    try (FakeControlServer a =
        FakeControlServer.at(state.resolve("a"), PairCommandsTest::primary)) {
      assertThat(run("status", "--state-dir", dir(), "--json")).isZero();
    }
    JsonNode json = PairConfig.mapper().readTree(out.toString());
    assertThat(json.path("vmId").asText()).isEqualTo("vm-unit");
    JsonNode a = json.path("nodes").get(0);
    assertThat(a.path("daemonRunning").asBoolean()).isTrue();
    assertThat(a.path("status").path("logAcked").asLong()).isEqualTo(2 * 1024 * 1024 - 4096);
    assertThat(a.path("status").path("unackedBytes").asLong()).isEqualTo(4096);
    JsonNode b = json.path("nodes").get(1);
    assertThat(b.path("daemonRunning").asBoolean()).isFalse();
    assertThat(b.path("unreachable").asText()).isEqualTo("daemon not running");
    assertThat(b.path("role").isNull()).isTrue();
  }

  @Test
  void statusOfASingleNodeDirectoryOnARealHost() throws Exception {
    try (FakeControlServer a = FakeControlServer.at(state, PairCommandsTest::primary)) {
      assertThat(run("status", "--state-dir", dir())).isZero();
    }
    assertThat(out.toString()).containsPattern("role +PRIMARY_PROTECTED\n");
  }

  // ---- failover ----

  @Test
  void failoverWithoutAProtectedPairSaysWhatEachNodeIs() throws Exception {
    writePairConfig();
    Files.writeString(state.resolve("a/role"), "HALTED stopped by admin\n");
    try (FakeControlServer b =
        FakeControlServer.at(state.resolve("b"), () -> backup(NodeRole.PRIMARY_ALONE))) {
      assertThat(run("failover", "--state-dir", dir())).isEqualTo(CliErrors.FAILURE);
      assertThat(b.commands).doesNotContain("failover");
    }
    assertThat(err.toString())
        .contains("ftvm failover: no protected pair in " + state)
        .contains("a is HALTED (daemon not running), b is PRIMARY_ALONE")
        .contains("needs one node PRIMARY_PROTECTED and the other BACKUP_REPLAYING");
  }

  @Test
  void failoverAsksThePrimaryAndWaitsUntilTheBackupIsLive() throws Exception {
    writePairConfig();
    AtomicBoolean handedOff = new AtomicBoolean();
    try (FakeControlServer a = FakeControlServer.at(state.resolve("a"), PairCommandsTest::primary);
        FakeControlServer b =
            FakeControlServer.at(
                state.resolve("b"),
                () ->
                    backup(handedOff.get() ? NodeRole.PRIMARY_ALONE : NodeRole.BACKUP_REPLAYING))) {
      a.onFailover(() -> handedOff.set(true));

      assertThat(run("failover", "--state-dir", dir())).isZero();

      assertThat(a.commands).contains("failover");
      assertThat(b.commands).doesNotContain("failover");
    }
    assertThat(out.toString())
        .contains(
            "failover done: b is PRIMARY_ALONE (epoch 3), a halted (handed off at log byte 4096)")
        .containsPattern(
            "switchover time: \\d+ ms \\(handoff on a: \\d+ ms, go-live on b: \\d+ ms\\)");
  }

  @Test
  void failoverOnARealHostHandsOffFromThisHostsPrimaryOnly() throws Exception {
    // A real host's state directory: one node, its control socket directly inside.
    Path node = Files.createDirectories(state.resolve("web"));
    try (FakeControlServer a = FakeControlServer.at(node, PairCommandsTest::primary)) {
      assertThat(run("failover", "--state-dir", node.toString())).as(err.toString()).isZero();
      assertThat(a.commands).contains("failover");
    }
    assertThat(out.toString())
        .containsPattern("handed off in \\d+ ms \\(handed off at log byte 4096\\)")
        .contains("the backup goes live on its host");

    try (FakeControlServer b =
        FakeControlServer.at(node, () -> backup(NodeRole.BACKUP_REPLAYING))) {
      assertThat(run("failover", "--state-dir", node.toString())).isEqualTo(CliErrors.FAILURE);
      assertThat(b.commands).doesNotContain("failover");
    }
    assertThat(err.toString()).contains("run failover on the host of the PRIMARY_PROTECTED node");
  }

  @Test
  void failoverGivesUpWhenTheBackupHaltsInsteadOfGoingLive() throws Exception {
    writePairConfig();
    AtomicBoolean handedOff = new AtomicBoolean();
    try (FakeControlServer a = FakeControlServer.at(state.resolve("a"), PairCommandsTest::primary);
        FakeControlServer b =
            FakeControlServer.at(
                state.resolve("b"),
                () -> backup(handedOff.get() ? NodeRole.HALTED : NodeRole.BACKUP_REPLAYING))) {
      a.onFailover(() -> handedOff.set(true));

      int exit = run("failover", "--state-dir", dir());

      assertThat(exit).isEqualTo(CliErrors.FAILURE);
    }
    assertThat(err.toString()).contains("node b halted instead of going live");
  }

  // ---- stop ----

  @Test
  void stopWithNothingToStopSucceeds() {
    assertThat(run("stop", "--state-dir", dir())).isZero();
    assertThat(out.toString()).startsWith("nothing to stop: no pair in " + state);
  }

  @Test
  void stopAsksEveryDaemonAndIsSafeToRepeat() throws Exception {
    writePairConfig();
    try (FakeControlServer a =
        FakeControlServer.at(state.resolve("a"), PairCommandsTest::primary)) {
      assertThat(run("stop", "--state-dir", dir())).isZero();
      assertThat(a.commands).containsExactly("stop");
    }
    assertThat(out.toString())
        .contains("a: stop requested\n")
        .contains(
            "b: stop not acknowledged (no supervisor is listening at "
                + state.resolve("b/control.sock")
                + ")")
        .contains("stopped; logs and consoles are kept in " + state);

    assertThat(run("stop", "--state-dir", dir())).isZero();
  }

  @Test
  void stopReportsAMalformedLocalPairRecord() throws Exception {
    writePairConfig();
    Files.writeString(
        state.resolve("local-pair.json"), "{\"pairId\":\"abc\",\"daemonPids\":{\"a\":\"x\"}}");

    int exit = run("stop", "--state-dir", dir());

    assertThat(exit).isEqualTo(CliErrors.FAILURE);
    assertThat(err.toString())
        .contains(state.resolve("local-pair.json") + ": daemonPids.a is not a pid: \"x\"");
  }
}
