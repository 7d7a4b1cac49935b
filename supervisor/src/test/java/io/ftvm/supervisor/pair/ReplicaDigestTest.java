package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaDigestTest {
  @TempDir Path dir;

  private Path image(String name, int size, int writeAt, byte value) throws IOException {
    Path file = dir.resolve(name);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(size);
      if (writeAt >= 0) {
        raf.seek(writeAt);
        raf.write(value);
      }
    }
    return file;
  }

  @Test
  void equalContentGivesEqualDigestsHoweverAllocated() throws IOException {
    Path sparse = image("sparse.img", 3 << 20, -1, (byte) 0);
    Path written = dir.resolve("written.img");
    Files.write(written, new byte[3 << 20]); // zeros written in full, no holes

    assertThat(ReplicaDigest.of(List.of(sparse)).hex())
        .isEqualTo(ReplicaDigest.of(List.of(written)).hex());
  }

  @Test
  void oneChangedByteOrAnotherDiskOrderDiffers() throws IOException {
    Path a = image("a.img", 2 << 20, 1_500_000, (byte) 7);
    Path b = image("b.img", 2 << 20, 1_500_000, (byte) 8);
    Path c = image("c.img", 1 << 20, -1, (byte) 0);

    List<String> digests = new ArrayList<>();
    for (List<Path> replica : List.of(List.of(a, c), List.of(b, c), List.of(c, a))) {
      digests.add(ReplicaDigest.of(replica).hex());
    }
    assertThat(digests).doesNotHaveDuplicates();
  }

  @Test
  void wireValueIsTheDigestsFirst63Bits() {
    ReplicaDigest digest = new ReplicaDigest("ff" + "0".repeat(62), 0);
    assertThat(digest.wireValue()).isEqualTo(0x7f80_0000_0000_0000L);
    assertThat(new ReplicaDigest("f".repeat(64), 0).wireValue()).isPositive();
  }

  @Test
  void aMissingImageIsNamed() {
    Path missing = dir.resolve("gone.img");
    assertThatThrownBy(() -> ReplicaDigest.of(List.of(missing)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(missing.toString());
  }
}
