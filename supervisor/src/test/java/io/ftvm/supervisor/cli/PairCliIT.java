package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.pair.TestEnvironment;
import io.ftvm.supervisor.topology.PairTopology;
import io.ftvm.supervisor.topology.ProcessIdentity;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The admin verbs end to end, in-process through picocli: a real pair (patched QEMU, test VM,
 * network namespaces, two daemons), status, planned failover, status, stop.
 */
class PairCliIT {
  private static final Logger log = LoggerFactory.getLogger(PairCliIT.class);

  @TempDir Path work;

  private record Result(int exit, String out, String err) {}

  private Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exit = commandLine.execute(args);
    log.info("ftvm {} -> {}\n{}{}", String.join(" ", args), exit, out, err);
    return new Result(exit, out.toString(), err.toString());
  }

  private Path state() {
    return work.resolve("state");
  }

  @Test
  void startStatusFailoverStatusStop() throws Exception {
    String dir = state().toString();
    Result start =
        run(
            "start",
            "--pair",
            "--state-dir",
            dir,
            "--vm",
            TestEnvironment.testVm().toString(),
            "--qemu",
            TestEnvironment.qemu().toString(),
            "--workload",
            "idle",
            "--detection-timeout",
            "2s");
    assertThat(start.exit()).as(start.err()).isZero();
    LocalPairRecord record = LocalPairRecord.read(state().resolve("local-pair.json"));
    assertThat(start.out())
        .contains("pair " + record.pairId() + " is protected")
        .contains("ip netns exec ftvm-" + record.pairId() + "-c ping 10.77.0.10")
        .contains("ftvm stop     --state-dir " + dir);
    assertThat(namespacesOf(record.pairId())).hasSize(4);

    Result again = run("start", "--pair", "--state-dir", dir);
    assertThat(again.exit()).isEqualTo(CliErrors.FAILURE);
    assertThat(again.err()).contains("a pair is already running in " + dir);

    // Right after start the first ack may still be on its way.
    await("the backup acknowledges log")
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              Result status = run("status", "--state-dir", dir, "--json");
              assertThat(status.exit()).isZero();
              var nodes = PairConfig.mapper().readTree(status.out()).path("nodes");
              assertThat(nodes.get(0).path("role").asText()).isEqualTo("PRIMARY_PROTECTED");
              assertThat(nodes.get(1).path("role").asText()).isEqualTo("BACKUP_REPLAYING");
              assertThat(nodes.get(0).path("status").path("logAcked").asLong()).isPositive();
            });
    assertThat(run("status", "--state-dir", dir).out())
        .containsPattern("role +PRIMARY_PROTECTED +BACKUP_REPLAYING");

    Result failover = run("failover", "--state-dir", dir);
    assertThat(failover.exit()).as(failover.err()).isZero();
    assertThat(failover.out())
        .contains("failover done: b is PRIMARY_ALONE (epoch 1), a halted")
        .containsPattern("switchover time: \\d+ ms");

    Result after = run("status", "--state-dir", dir);
    assertThat(after.out()).containsPattern("role +HALTED +PRIMARY_ALONE");

    Result stop = run("stop", "--state-dir", dir);
    assertThat(stop.exit()).as(stop.err()).isZero();
    assertThat(stop.out()).contains("removed network namespaces");
    assertThat(namespacesOf(record.pairId())).isEmpty();
    assertThat(record.daemonPids().values())
        .allSatisfy(pid -> assertThat(ProcessIdentity.of(pid)).isEmpty());

    Result stopAgain = run("stop", "--state-dir", dir);
    assertThat(stopAgain.exit()).isZero();
    assertThat(stopAgain.out()).contains("were already gone");
  }

  /** Whatever the test got to, nothing of the pair may survive it. */
  @AfterEach
  void removeThePair() throws Exception {
    Path recordFile = state().resolve("local-pair.json");
    if (!Files.exists(recordFile)) {
      return;
    }
    run("stop", "--state-dir", state().toString());
    LocalPairRecord record = LocalPairRecord.read(recordFile);
    for (long pid : record.daemonPids().values()) {
      new PairDaemon("?", pid, state().resolve("pair.json"))
          .running()
          .flatMap(p -> ProcessHandle.of(p.pid()))
          .ifPresent(ProcessHandle::destroyForcibly);
    }
    PairTopology.destroyExisting(record.pairId());
  }

  private static List<String> namespacesOf(String pairId) throws Exception {
    Process list = new ProcessBuilder("ip", "netns", "list").start();
    String text = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    list.waitFor();
    List<String> ours = new ArrayList<>();
    for (String line : text.lines().toList()) {
      String name = line.split(" ")[0];
      if (name.startsWith("ftvm-" + pairId + "-")) {
        ours.add(name);
      }
    }
    return ours;
  }
}
