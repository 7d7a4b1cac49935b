package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArbiterConfigTest {
  @TempDir Path dir;

  private Path writeWithArbiter(String arbiterJson) throws IOException {
    PairConfig config =
        new PairConfig(
            "vm-unit",
            1,
            "a",
            Path.of("/opt/qemu"),
            new PairConfig.GuestSpec(
                Path.of("/k"), Path.of("/i"), "", 256, "52:54:00:00:00:01", "x"),
            Map.of(
                "a",
                new PairConfig.NodeSpec(dir.resolve("a"), dir.resolve("a.img"), "h", 1, "t", "b"),
                "b",
                new PairConfig.NodeSpec(dir.resolve("b"), dir.resolve("b.img"), "h", 2, "t", "b")),
            dir.resolve("shared"),
            dir.resolve("key"),
            PairConfig.Timing.defaults(),
            null);
    Path file = dir.resolve("pair.json");
    config.write(file);
    if (arbiterJson != null) {
      ObjectNode tree = (ObjectNode) PairConfig.mapper().readTree(file.toFile());
      tree.set("arbiter", PairConfig.mapper().readTree(arbiterJson));
      PairConfig.mapper().writeValue(file.toFile(), tree);
    }
    return file;
  }

  @Test
  void noArbiterSectionMeansTheSharedDirectory() throws Exception {
    PairConfig config = PairConfig.read(writeWithArbiter(null));

    assertThat(config.arbiterSpec().isSharedDirectory()).isTrue();
  }

  @Test
  void aZooKeeperArbiterIsReadWithItsSettings() throws Exception {
    PairConfig config =
        PairConfig.read(
            writeWithArbiter(
                "{\"type\":\"zookeeper\",\"connect\":\"10.0.0.1:2181,10.0.0.2:2181\","
                    + "\"sessionTimeoutMs\":3000}"));

    assertThat(config.arbiterSpec().isSharedDirectory()).isFalse();
    assertThat(config.arbiterSpec().connect()).isEqualTo("10.0.0.1:2181,10.0.0.2:2181");
    assertThat(config.arbiterSpec().sessionTimeoutMillisOrDefault()).isEqualTo(3000);
    assertThat(config.arbiterSpec().rootOrDefault()).isEqualTo("/ftvm");
  }

  @Test
  void aWrittenZooKeeperConfigReadsBackTheSame() throws Exception {
    PairConfig config =
        PairConfig.read(writeWithArbiter(null)).withArbiter(ArbiterSpec.zooKeeper("h:2181"));
    Path file = dir.resolve("again.json");
    config.write(file);

    assertThat(PairConfig.read(file).arbiterSpec()).isEqualTo(ArbiterSpec.zooKeeper("h:2181"));
  }

  @Test
  void invalidArbiterSectionsSayWhatIsWrong() throws Exception {
    assertThatThrownBy(() -> PairConfig.read(writeWithArbiter("{\"type\":\"etcd\"}")))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(
            "arbiter type 'etcd' is unknown; use one of [shared-directory, zookeeper]");
    assertThatThrownBy(() -> PairConfig.read(writeWithArbiter("{\"type\":\"zookeeper\"}")))
        .hasMessageContaining("needs \"connect\"");
    assertThatThrownBy(
            () ->
                PairConfig.read(
                    writeWithArbiter("{\"type\":\"zookeeper\",\"connect\":\"h:2181/chroot\"}")))
        .hasMessageContaining("is not host:port");
    assertThatThrownBy(
            () ->
                PairConfig.read(
                    writeWithArbiter(
                        "{\"type\":\"zookeeper\",\"connect\":\"h:2181\",\"sessionTimeoutMs\":5}")))
        .hasMessageContaining("sessionTimeoutMs 5 must be between");
    assertThatThrownBy(
            () ->
                PairConfig.read(
                    writeWithArbiter("{\"type\":\"shared-directory\",\"connect\":\"h:2181\"}")))
        .hasMessageContaining("takes no connect");
  }

  @Test
  void hostsJoinTheMembersNetwork() {
    assertThat(
            ZooKeeperSwitchAttachment.addressInMembersNetwork(
                "10.88.0.11:2181,10.88.0.12:2181", 201))
        .isEqualTo("10.88.0.201");
    assertThatThrownBy(() -> ZooKeeperSwitchAttachment.addressInMembersNetwork("zk1:2181", 201))
        .hasMessageContaining("must be an IPv4 address");
  }
}
