package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Spare nodes in the pair config (issue 8): parsed, validated, and absent in old configs. */
class SpareConfigTest {
  @TempDir Path dir;

  private PairConfig pair() {
    return new PairConfig(
        "vm-unit",
        1,
        "a",
        Path.of("/opt/qemu"),
        new PairConfig.GuestSpec(Path.of("/k"), Path.of("/i"), "", 256, "52:54:00:00:00:01", "x"),
        Map.of("a", node("a", "10.0.0.1"), "b", node("b", "10.0.0.2")),
        dir.resolve("shared"),
        dir.resolve("key"),
        PairConfig.Timing.defaults(),
        null);
  }

  private PairConfig.NodeSpec node(String id, String host) {
    return new PairConfig.NodeSpec(
        dir.resolve(id), dir.resolve(id + ".img"), host, 7400, "t", "br0");
  }

  @Test
  void aConfigWithoutSparesReadsAsBeforeAndIsWrittenWithoutThem() throws Exception {
    Path file = dir.resolve("pair.json");
    pair().write(file);

    assertThat(Files.readString(file)).doesNotContain("spares");
    PairConfig read = PairConfig.read(file);
    assertThat(read.spares()).isEmpty();
    assertThat(read.allNodeIds()).containsExactlyInAnyOrder("a", "b");
    assertThat(read.peerOf("a")).isEqualTo("b");
  }

  @Test
  void sparesAreReadBackWithTheirSettingsAndKnownAsNodes() throws Exception {
    Map<String, PairConfig.NodeSpec> spares = new LinkedHashMap<>();
    spares.put("c", node("c", "10.0.0.3"));
    spares.put("d", node("d", "10.0.0.4"));
    Path file = dir.resolve("pair.json");
    pair().withSpares(spares).write(file);

    PairConfig read = PairConfig.read(file);

    assertThat(read.spares()).containsOnlyKeys("c", "d");
    assertThat(read.node("c").channelHost()).isEqualTo("10.0.0.3");
    assertThat(read.isSpare("c")).isTrue();
    assertThat(read.isSpare("a")).isFalse();
    assertThat(read.knows("d")).isTrue();
    assertThat(read.knows("e")).isFalse();
    assertThat(read.allNodeIds()).containsExactly("a", "b", "c", "d");
    assertThat(read.nodes()).containsOnlyKeys("a", "b");
    assertThatThrownBy(() -> read.peerOf("c")).hasMessageContaining("spare c has no fixed peer");
    assertThatThrownBy(() -> read.node("e")).hasMessageContaining("spares: [c, d]");
  }

  @Test
  void aSpareNamedLikeAPairNodeOrListeningWhereAnotherNodeDoesIsRefused() throws Exception {
    Map<String, PairConfig.NodeSpec> spares = new LinkedHashMap<>();
    spares.put("b", node("b2", "10.0.0.9"));
    spares.put("c", node("c", "10.0.0.1"));
    spares.put("bad name", node("x", "10.0.0.8"));
    spares.put("e", new PairConfig.NodeSpec(null, null, "10.0.0.5", 0, "t", "br0"));
    Path file = dir.resolve("pair.json");
    pair().withSpares(spares).write(file);

    assertThatThrownBy(() -> PairConfig.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("spare 'b' has the name of a pair node")
        .hasMessageContaining("spare c's logging channel listens on 10.0.0.1:7400 like node a")
        .hasMessageContaining("node id 'bad name' must be 1-63 letters")
        .hasMessageContaining("node e: disk must be set")
        .hasMessageContaining("node e: channelPort must be 1..65535");
  }

  @Test
  void aSpareCannotBeTheInitialPrimary() {
    PairConfig config = pair().withSpares(Map.of("c", node("c", "10.0.0.3")));
    PairConfig spareFirst =
        new PairConfig(
            config.vmId(),
            config.epoch(),
            "c",
            config.qemuBinary(),
            config.vm(),
            config.nodes(),
            config.sharedDirectory(),
            config.preSharedKeyFile(),
            config.timing(),
            null,
            null,
            null,
            null,
            null,
            config.spares());

    assertThat(PairConfigValidator.problems(spareFirst))
        .anyMatch(p -> p.contains("initialPrimary 'c' is a spare"));
  }
}
