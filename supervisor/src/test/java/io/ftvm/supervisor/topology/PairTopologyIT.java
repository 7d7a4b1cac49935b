package io.ftvm.supervisor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real namespaces, real veths and bridges; needs root, iproute2 and iputils-ping. */
class PairTopologyIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final NetnsCommand shell = new NetnsCommand();
  private final List<Process> started = new ArrayList<>();
  private final List<String> foreignNamespaces = new ArrayList<>();
  private PairTopology topology;

  @BeforeAll
  static void removeLeftoversOfCrashedRuns() {
    assertThat(Files.isExecutable(Path.of("/usr/bin/ping")))
        .as("ping is required: apt-get install iputils-ping")
        .isTrue();
    new StaleTopologyReaper().reapAll();
  }

  @BeforeEach
  void createTopology() {
    topology = PairTopology.create(TopologySpec.defaults(TopologySpec.randomPairId()));
  }

  @AfterEach
  void destroyEverything() throws Exception {
    for (Process process : started) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    for (String namespace : foreignNamespaces) {
      shell.run(List.of("ip", "netns", "delete", namespace), TIMEOUT);
    }
    String pairId = topology.pairId();
    topology.close();
    assertThat(namespaces()).noneMatch(ns -> ns.startsWith("ftvm-" + pairId + "-"));
    assertThat(Files.exists(topology.spec().markerFile())).isFalse();
  }

  @Test
  void clientReachesBothHostsAndTheLoggingLinkConnectsThePair() {
    assertReachable(HostRole.CLIENT, "10.77.0.1");
    assertReachable(HostRole.CLIENT, "10.77.0.2");
    assertReachable(HostRole.A, "10.77.0.2");
    assertReachable(HostRole.A, "10.78.0.2");
    assertReachable(HostRole.B, "10.78.0.1");
  }

  @Test
  void cuttingTheLoggingLinkLeavesTheLanWorking() {
    assertReachable(HostRole.A, "10.78.0.2");

    topology.cutLoggingLink();

    assertUnreachable(HostRole.A, "10.78.0.2");
    assertUnreachable(HostRole.B, "10.78.0.1");
    assertReachable(HostRole.CLIENT, "10.77.0.1");
    assertReachable(HostRole.A, "10.77.0.2");
    assertThat(linkShow(HostRole.A, "log0"))
        .as("the host's own interface stays administratively up, like a pulled cable")
        .contains(",UP")
        .contains("NO-CARRIER");

    topology.restoreLoggingLink();

    assertReachable(HostRole.A, "10.78.0.2");
  }

  @Test
  void cuttingAHostIsolatesItFromTheLanOnly() {
    topology.cutHost(HostRole.A);

    assertUnreachable(HostRole.CLIENT, "10.77.0.1");
    assertReachable(HostRole.CLIENT, "10.77.0.2");
    assertReachable(HostRole.A, "10.78.0.2");

    topology.restoreHost(HostRole.A);

    assertReachable(HostRole.CLIENT, "10.77.0.1");
  }

  @Test
  void killAllProcessesKillsEveryProcessOfTheHostAndNoOther() throws Exception {
    Process inA = start(topology.commandIn(HostRole.A, List.of("sleep", "300")));
    Process inB = start(topology.commandIn(HostRole.B, List.of("sleep", "300")));
    await().atMost(TIMEOUT).until(() -> pidsOf(HostRole.A).contains(inA.pid()));

    List<KilledProcess> killed = topology.killAllProcesses(HostRole.A);

    assertThat(killed).extracting(KilledProcess::pid).containsExactly(inA.pid());
    assertThat(killed.get(0).commandLine()).contains("sleep 300");
    assertThat(inA.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(inA.exitValue()).isEqualTo(128 + 9);
    assertThat(inB.isAlive()).isTrue();
    assertThat(topology.killAllProcesses(HostRole.CLIENT)).isEmpty();
  }

  @Test
  void attachTapMakesTheTapAPortOfTheHostBridge() {
    CommandResult added =
        topology.exec(HostRole.A, List.of("ip", "tuntap", "add", "dev", "tap0", "mode", "tap"));
    assertThat(added.succeeded()).as(added.stderr()).isTrue();

    topology.attachTap(HostRole.A, "tap0");

    String tap = linkShow(HostRole.A, "tap0");
    assertThat(tap).contains("master br0").contains(",UP");
    String bridgeMac = linkShow(HostRole.A, "br0");
    assertThat(bridgeMac)
        .as("bridge MAC must not follow the new port")
        .contains("02:77:00:00:00:0a");
    assertReachable(HostRole.CLIENT, "10.77.0.1");
  }

  @Test
  void attachingAMissingTapFailsWithTheIpError() {
    assertThatThrownBy(() -> topology.attachTap(HostRole.B, "tap9"))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageContaining("ip -n " + topology.hostNamespace(HostRole.B) + " link set dev tap9")
        .hasMessageContaining("Cannot find device \"tap9\"");
  }

  @Test
  void destroyRemovesNamespacesEvenWithProcessesStillRunningInThem() throws Exception {
    Process inB = start(topology.commandIn(HostRole.B, List.of("sleep", "300")));
    await().atMost(TIMEOUT).until(() -> pidsOf(HostRole.B).contains(inB.pid()));

    topology.destroy();

    assertThat(inB.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(namespaces()).doesNotContainAnyElementsOf(topology.spec().namespaces());
  }

  @Test
  void reaperRemovesTheTopologyOfACrashedOwnerButNotOfALiveOne() throws Exception {
    String crashedId = TopologySpec.randomPairId();
    Process owner = startOwner(crashedId, "hold");
    assertThat(namespaces()).containsAll(TopologySpec.defaults(crashedId).namespaces());
    owner.destroyForcibly();
    owner.waitFor(10, TimeUnit.SECONDS);

    List<String> reaped = new StaleTopologyReaper().reapAll();

    // Not asserting that *this* reaper reaped crashedId: a concurrent test run's reaper may have
    // been faster. Either way the crashed owner's namespaces must be gone and ours must remain.
    assertThat(reaped).doesNotContain(topology.pairId());
    assertThat(namespaces()).doesNotContainAnyElementsOf(TopologySpec.namespacesOf(crashedId));
    assertThat(namespaces()).containsAll(topology.spec().namespaces());
    assertThat(Files.exists(TopologySpec.defaults(crashedId).markerFile())).isFalse();
  }

  @Test
  void shutdownHookRemovesTheTopologyOfAnOwnerThatExitsWithoutDestroyingIt() throws Exception {
    String forgottenId = TopologySpec.randomPairId();
    Process owner = startOwner(forgottenId, "exit");

    assertThat(owner.waitFor(30, TimeUnit.SECONDS)).isTrue();

    assertThat(namespaces()).doesNotContainAnyElementsOf(TopologySpec.namespacesOf(forgottenId));
    assertThat(Files.exists(TopologySpec.defaults(forgottenId).markerFile())).isFalse();
  }

  @Test
  void failedCreationRemovesWhatItMadeAndKeepsWhatItFound() {
    String pairId = TopologySpec.randomPairId();
    String squatter = "ftvm-" + pairId + "-lan";
    foreignNamespaces.add(squatter);
    shell.runChecked(List.of("ip", "netns", "add", squatter), TIMEOUT);

    assertThatThrownBy(() -> PairTopology.create(TopologySpec.defaults(pairId)))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("ip netns add " + squatter + " failed (exit 1)");

    List<String> left = new ArrayList<>(namespaces());
    left.retainAll(TopologySpec.namespacesOf(pairId));
    assertThat(left).containsExactly(squatter);
    assertThat(Files.exists(TopologySpec.defaults(pairId).markerFile())).isFalse();
  }

  private void assertReachable(HostRole from, String address) {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              CommandResult ping = ping(from, address);
              assertThat(ping.exitCode())
                  .as("%s from %s: %s%s", address, from, ping.stdout(), ping.stderr())
                  .isZero();
            });
  }

  private void assertUnreachable(HostRole from, String address) {
    CommandResult ping = ping(from, address);
    assertThat(ping.exitCode()).as("%s from %s: %s", address, from, ping.stdout()).isNotZero();
  }

  private CommandResult ping(HostRole from, String address) {
    return topology.exec(from, List.of("ping", "-c", "2", "-i", "0.2", "-W", "1", address));
  }

  private String linkShow(HostRole role, String device) {
    return shell
        .runChecked(
            List.of("ip", "-n", topology.hostNamespace(role), "link", "show", "dev", device),
            TIMEOUT)
        .stdout();
  }

  private List<Long> pidsOf(HostRole role) {
    return new IpNetns(shell).pids(topology.hostNamespace(role));
  }

  private List<String> namespaces() {
    return new IpNetns(shell).list();
  }

  /** Starts a JVM that creates a topology and returns once it exists. */
  private Process startOwner(String pairId, String mode) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process owner =
        start(
            List.of(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                TopologyOwnerMain.class.getName(),
                pairId,
                mode));
    BufferedReader out =
        new BufferedReader(new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.equals("ready"));
    assertThat(line).as("owner process printed ready").isEqualTo("ready");
    return owner;
  }

  private Process start(List<String> argv) throws Exception {
    Process process =
        new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    started.add(process);
    return process;
  }
}
