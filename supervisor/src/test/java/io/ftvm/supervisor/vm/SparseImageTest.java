package io.ftvm.supervisor.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SparseImageTest {
  private static final long MIB = 1 << 20;

  @TempDir Path dir;

  private final ImageDigest digest = new ImageDigest();
  private final SparseImageCopy copier = new SparseImageCopy();

  /** 64 MiB with data only at 1 MiB, 20 MiB (+4 KiB) and in the last 100 bytes. */
  private Path sparseImage(String name) throws IOException {
    Path image = dir.resolve(name);
    try (FileChannel channel =
        FileChannel.open(image, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.truncate(64 * MIB);
      write(channel, MIB, filled(64 * 1024, (byte) 1));
      write(channel, 20 * MIB + 4096, filled(8192, (byte) 2));
      write(channel, 64 * MIB - 100, filled(100, (byte) 3));
    }
    return image;
  }

  private static byte[] filled(int size, byte value) {
    byte[] bytes = new byte[size];
    Arrays.fill(bytes, value);
    return bytes;
  }

  private static void write(FileChannel channel, long position, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      position += channel.write(buffer, position);
    }
  }

  @Test
  void copyKeepsHolesAndContent() throws IOException {
    Path source = sparseImage("src.img");
    Path copy = dir.resolve("copy.img");
    copier.copy(source, copy);

    assertThat(Files.size(copy)).isEqualTo(64 * MIB);
    assertThat(SparseImageCopy.allocatedBytes(source)).isLessThan(MIB);
    assertThat(SparseImageCopy.allocatedBytes(copy))
        .isLessThanOrEqualTo(SparseImageCopy.allocatedBytes(source));
    assertThat(Files.mismatch(source, copy)).isEqualTo(-1);
    assertThat(digest.of(copy)).isEqualTo(digest.of(source));
  }

  @Test
  void writtenZerosBecomeHolesInTheCopyAndDigestTheSame() throws IOException {
    Path full = dir.resolve("full.img");
    byte[] content = new byte[(int) (8 * MIB)];
    content[3 * 1024 * 1024 + 7] = 9;
    Files.write(full, content); // every block allocated, mostly zeros
    Path copy = dir.resolve("copy.img");
    copier.copy(full, copy);

    assertThat(SparseImageCopy.allocatedBytes(full)).isEqualTo(8 * MIB);
    assertThat(SparseImageCopy.allocatedBytes(copy)).isLessThan(MIB);
    assertThat(digest.of(copy)).isEqualTo(digest.of(full));
  }

  @Test
  void digestsDifferWhenOneByteDiffers() throws IOException {
    Path a = sparseImage("a.img");
    Path b = sparseImage("b.img");
    assertThat(digest.of(a)).isEqualTo(digest.of(b));
    try (FileChannel channel = FileChannel.open(b, StandardOpenOption.WRITE)) {
      write(channel, 40 * MIB + 123, new byte[] {1}); // inside a hole of a
    }
    assertThat(digest.of(b)).isNotEqualTo(digest.of(a));
  }

  @Test
  void digestDependsOnTheSize() throws IOException {
    Path a = dir.resolve("a.img");
    Path b = dir.resolve("b.img");
    Files.write(a, new byte[(int) MIB]);
    Files.write(b, new byte[(int) (2 * MIB)]);
    assertThat(digest.of(a)).isNotEqualTo(digest.of(b));
  }

  @Test
  void extentsOfASparseFile() throws IOException {
    Path image = sparseImage("e.img");
    var extents = ImageExtents.dataExtents(image);
    assertThat(extents).hasSizeBetween(3, 4);
    assertThat(extents.get(0).start()).isEqualTo(MIB);
    assertThat(extents.get(extents.size() - 1).end()).isEqualTo(64 * MIB);
  }
}
