package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskReplicaStateTest {
  @TempDir Path dir;

  @Test
  void aFencedNodeRejoinsEmptyNoOldLogAndAnEmptyDiskOfTheSameSize() throws Exception {
    Path state = Files.createDirectories(dir.resolve("node-a"));
    Path oldLog = Files.createDirectories(state.resolve("log-epoch-1"));
    Files.write(oldLog.resolve("20261201.cq4"), new byte[] {1, 2, 3});
    Files.createDirectories(state.resolve("log-epoch-0").resolve("nested"));
    Path keep = Files.writeString(state.resolve("console.log"), "history");
    Path disk = dir.resolve("disk-a.img");
    byte[] content = new byte[1 << 20];
    Arrays.fill(content, (byte) 0x5a);
    Files.write(disk, content);

    String what = new DiskReplicaState(state, disk).discard();

    assertThat(state.resolve("log-epoch-1")).doesNotExist();
    assertThat(state.resolve("log-epoch-0")).doesNotExist();
    assertThat(keep).exists();
    assertThat(Files.size(disk)).isEqualTo(1 << 20);
    byte[] after = Files.readAllBytes(disk);
    assertThat(after).containsOnly((byte) 0);
    assertThat(what).contains("log-epoch-1").contains("now empty, 1048576 bytes");
    assertThat(disk.resolveSibling("disk-a.img.empty")).doesNotExist();
  }

  @Test
  void withoutADiskImageThereIsNoSizeToCloneInto() {
    assertThatThrownBy(() -> new DiskReplicaState(dir, dir.resolve("gone.img")).discard())
        .hasMessageContaining("gone.img is missing");
  }
}
