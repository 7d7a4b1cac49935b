package io.ftvm.supervisor.vm;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A digest of a disk image's content that skips its holes: SHA-256 over the SHA-256 of every 1 MiB
 * block (and the size), where a block that lies entirely in a hole takes the precomputed hash of a
 * zero block without being read. Two images get the same digest exactly when they read the same,
 * however each is allocated (a hole and written zeros are equal), so replicas copied sparsely and
 * replicas written in full compare correctly. The cost follows the data, not the image size.
 */
public final class ImageDigest {
  static final int BLOCK = 1 << 20;

  private final byte[] zeroBlockHash;

  public ImageDigest() {
    zeroBlockHash = sha256().digest(new byte[BLOCK]);
  }

  /** Hex digest of {@code image}'s content. */
  public String of(Path image) throws IOException {
    long size = Files.size(image);
    List<ImageExtents.Extent> data = ImageExtents.dataExtents(image);
    MessageDigest outer = sha256();
    MessageDigest inner = sha256();
    ByteBuffer buffer = ByteBuffer.allocateDirect(BLOCK);
    byte[] chunk = new byte[64 * 1024];
    int next = 0; // first extent that may still overlap the current block
    try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ)) {
      for (long block = 0; block < size; block += BLOCK) {
        long end = Math.min(size, block + BLOCK);
        while (next < data.size() && data.get(next).end() <= block) {
          next++;
        }
        boolean hole = next >= data.size() || data.get(next).start() >= end;
        if (hole && end - block == BLOCK) {
          outer.update(zeroBlockHash);
          continue;
        }
        inner.reset();
        buffer.clear().limit((int) (end - block));
        long position = block;
        while (buffer.hasRemaining()) {
          int n = channel.read(buffer, position);
          if (n < 0) {
            throw new IOException(image + " shrank while it was digested");
          }
          position += n;
        }
        buffer.flip();
        while (buffer.hasRemaining()) {
          int n = Math.min(chunk.length, buffer.remaining());
          buffer.get(chunk, 0, n);
          inner.update(chunk, 0, n);
        }
        outer.update(inner.digest());
      }
    }
    outer.update(Long.toString(size).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(outer.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
