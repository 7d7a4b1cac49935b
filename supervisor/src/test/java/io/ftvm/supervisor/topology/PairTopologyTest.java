package io.ftvm.supervisor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creation, rollback and ownership logic against a simulated {@code ip}; no root needed. */
class PairTopologyTest {
  @TempDir Path markers;

  private TopologySpec spec() {
    return TopologySpec.defaults("unit01").withMarkerDirectory(markers);
  }

  @Test
  void createsEveryInterfaceInsideItsOwnNamespaces() {
    FakeIpRunner ip = new FakeIpRunner();
    try (PairTopology topology = PairTopology.create(spec(), ip)) {
      assertThat(ip.namespaces).containsExactlyElementsOf(spec().namespaces());
      assertThat(ip.commands)
          .filteredOn(c -> c.startsWith("ip ") && !c.startsWith("ip netns"))
          .allMatch(c -> c.startsWith("ip -n ftvm-unit01-"));
      assertThat(ip.commands)
          .contains(
              "ip -n ftvm-unit01-a link add eth0 type veth peer name port-a netns ftvm-unit01-lan",
              "ip -n ftvm-unit01-a addr add 10.77.0.1/24 dev br0",
              "ip -n ftvm-unit01-b addr add 10.78.0.2/30 dev log0",
              "ip -n ftvm-unit01-c addr add 10.77.0.100/24 dev eth0",
              "ip -n ftvm-unit01-lan link set log-b master brlog");
      assertThat(Files.exists(spec().markerFile())).isTrue();
    }
    assertThat(ip.namespaces).isEmpty();
    assertThat(Files.exists(spec().markerFile())).isFalse();
  }

  @Test
  void rollsBackEverythingWhenAStepFailsHalfWay() {
    FakeIpRunner ip = new FakeIpRunner().failWhen(c -> c.contains("peer name port-b"));

    assertThatThrownBy(() -> PairTopology.create(spec(), ip))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("creating topology unit01 failed and was rolled back")
        .hasMessageContaining(
            "ip -n ftvm-unit01-b link add eth0 type veth peer name port-b netns ftvm-unit01-lan"
                + " failed (exit 2): RTNETLINK answers: Operation not permitted");
    assertThat(ip.namespaces).isEmpty();
    assertThat(Files.exists(spec().markerFile())).isFalse();
  }

  @Test
  void neverRemovesANamespaceItDidNotCreate() {
    FakeIpRunner ip = new FakeIpRunner();
    ip.namespaces.add("ftvm-unit01-lan");

    assertThatThrownBy(() -> PairTopology.create(spec(), ip))
        .hasMessageContaining("ip netns add ftvm-unit01-lan failed (exit 1)")
        .hasMessageContaining("File exists");
    assertThat(ip.namespaces).containsExactly("ftvm-unit01-lan");
    assertThat(ip.commands).doesNotContain("ip netns delete ftvm-unit01-lan");
  }

  @Test
  void refusesAPairIdOwnedByALiveProcess() throws Exception {
    ProcessIdentity self = ProcessIdentity.current();
    Files.writeString(
        spec().markerFile(), "pid=" + self.pid() + "\nstartTime=" + self.startTime() + "\n");
    FakeIpRunner ip = new FakeIpRunner();

    assertThatThrownBy(() -> PairTopology.create(spec(), ip))
        .isInstanceOf(TopologyException.class)
        .hasMessage(
            "pair id unit01 is in use by live process "
                + self.pid()
                + " (owner marker "
                + spec().markerFile()
                + ")");
    assertThat(ip.commands).isEmpty();
  }

  @Test
  void takesOverAPairIdWhoseOwnerDiedAfterRemovingItsLeftovers() throws Exception {
    ProcessIdentity self = ProcessIdentity.current();
    Files.writeString(
        spec().markerFile(), "pid=" + self.pid() + "\nstartTime=" + (self.startTime() + 1) + "\n");
    FakeIpRunner ip = new FakeIpRunner();
    ip.namespaces.add("ftvm-unit01-a");

    try (PairTopology topology = PairTopology.create(spec(), ip)) {
      assertThat(ip.commands).contains("ip netns delete ftvm-unit01-a");
      assertThat(Files.readString(spec().markerFile()))
          .isEqualTo("pid=" + self.pid() + "\nstartTime=" + self.startTime() + "\n");
    }
  }

  @Test
  void reportsAMalformedMarkerPrecisely() throws Exception {
    Files.writeString(spec().markerFile(), "garbage");
    assertThatThrownBy(() -> PairTopology.create(spec(), new FakeIpRunner()))
        .hasMessage(
            "owner marker "
                + spec().markerFile()
                + " is malformed (expected lines pid=<n> and startTime=<n>): 'garbage'");
  }

  @Test
  void destroyIsIdempotentAndToleratesNamespacesAlreadyGone() {
    FakeIpRunner ip = new FakeIpRunner();
    PairTopology topology = PairTopology.create(spec(), ip);
    ip.namespaces.remove("ftvm-unit01-b");

    topology.destroy();
    topology.destroy();

    assertThat(ip.namespaces).isEmpty();
    assertThat(ip.commands).doesNotContain("ip netns delete ftvm-unit01-b");
    assertThatThrownBy(() -> topology.cutHost(HostRole.A))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("topology unit01 has been destroyed");
  }

  @Test
  void keepsTheMarkerWhenRemovalFailsSoTheReaperCanRetry() {
    FakeIpRunner ip = new FakeIpRunner();
    PairTopology topology = PairTopology.create(spec(), ip);
    ip.failWhen(c -> c.equals("ip netns delete ftvm-unit01-c"));

    assertThatThrownBy(topology::destroy)
        .hasMessageContaining("topology unit01 was not fully removed: ftvm-unit01-c:");
    assertThat(ip.namespaces).containsExactly("ftvm-unit01-c");
    assertThat(Files.exists(spec().markerFile())).isTrue();
  }

  @Test
  void refusesToAttachATapToTheClientOrWithABadName() {
    try (PairTopology topology = PairTopology.create(spec(), new FakeIpRunner())) {
      assertThatThrownBy(() -> topology.attachTap(HostRole.CLIENT, "tap0"))
          .hasMessage("the client has no bridge to attach TAP tap0 to");
      assertThatThrownBy(() -> topology.attachTap(HostRole.A, "tap-name-too-long"))
          .hasMessageContaining("TAP name 'tap-name-too-long' must be 1 to 15 characters");
    }
  }

  @Test
  void prefixesCommandsWithTheHostNamespace() {
    try (PairTopology topology = PairTopology.create(spec(), new FakeIpRunner())) {
      assertThat(topology.commandIn(HostRole.B, List.of("ping", "-c1", "10.77.0.1")))
          .containsExactly("ip", "netns", "exec", "ftvm-unit01-b", "ping", "-c1", "10.77.0.1");
    }
  }
}
