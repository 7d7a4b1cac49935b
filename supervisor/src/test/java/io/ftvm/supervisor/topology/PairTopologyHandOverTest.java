package io.ftvm.supervisor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Handing a topology to a daemon and removing it later from another process; simulated ip. */
class PairTopologyHandOverTest {
  @TempDir Path markers;

  private TopologySpec spec() {
    return TopologySpec.defaults("hand01").withMarkerDirectory(markers);
  }

  @Test
  void handedOverTopologyBelongsToTheNewOwnerUntilItDies() throws Exception {
    FakeIpRunner ip = new FakeIpRunner();
    Process daemon = new ProcessBuilder("sleep", "60").start();
    try {
      PairTopology topology = PairTopology.create(spec(), ip);
      topology.handOverTo(daemon.pid());

      assertThat(Files.readString(spec().markerFile())).startsWith("pid=" + daemon.pid() + "\n");
      assertThatThrownBy(() -> PairTopology.destroyExisting(spec().markerFile(), "hand01", ip))
          .isInstanceOf(TopologyException.class)
          .hasMessageContaining("still owned by live process " + daemon.pid())
          .hasMessageContaining("stop it first");
      assertThat(ip.namespaces).containsExactlyElementsOf(spec().namespaces());

      daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      assertThat(PairTopology.destroyExisting(spec().markerFile(), "hand01", ip)).isTrue();
      assertThat(ip.namespaces).isEmpty();
      assertThat(Files.exists(spec().markerFile())).isFalse();
    } finally {
      daemon.destroyForcibly();
    }
  }

  @Test
  void handOverToAProcessThatDoesNotRunIsRefusedAndChangesNothing() throws Exception {
    FakeIpRunner ip = new FakeIpRunner();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor(10, TimeUnit.SECONDS);
    try (PairTopology topology = PairTopology.create(spec(), ip)) {
      String before = Files.readString(spec().markerFile());

      assertThatThrownBy(() -> topology.handOverTo(gone.pid()))
          .isInstanceOf(TopologyException.class)
          .hasMessageContaining("cannot hand topology hand01 to pid " + gone.pid());
      assertThat(Files.readString(spec().markerFile())).isEqualTo(before);
    }
    assertThat(ip.namespaces).isEmpty();
  }

  @Test
  void destroyExistingRemovesNamespacesEvenWithoutAMarkerAndIsIdempotent() {
    FakeIpRunner ip = new FakeIpRunner();
    ip.namespaces.add("ftvm-hand01-a");
    ip.namespaces.add("ftvm-hand01-lan");
    ip.namespaces.add("ftvm-other-a");

    assertThat(PairTopology.destroyExisting(spec().markerFile(), "hand01", ip)).isTrue();
    assertThat(ip.namespaces).containsExactly("ftvm-other-a");
    assertThat(PairTopology.destroyExisting(spec().markerFile(), "hand01", ip)).isFalse();
  }

  @Test
  void destroyExistingReportsANamespaceItCouldNotRemove() {
    FakeIpRunner ip = new FakeIpRunner().failWhen(c -> c.equals("ip netns delete ftvm-hand01-b"));
    ip.namespaces.add("ftvm-hand01-b");

    assertThatThrownBy(() -> PairTopology.destroyExisting(spec().markerFile(), "hand01", ip))
        .isInstanceOf(TopologyException.class)
        .hasMessageContaining("topology hand01 was not fully removed")
        .hasMessageContaining("ftvm-hand01-b");
  }

  @Test
  void destroyExistingRejectsAMalformedPairId() {
    assertThatThrownBy(() -> PairTopology.destroyExisting("../etc"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
