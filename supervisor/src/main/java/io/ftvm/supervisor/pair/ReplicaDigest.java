package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.vm.ImageDigest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What a replica's disks hold, as one digest: SHA-256 over the {@link ImageDigest} of every disk in
 * the guest's order. Two replicas may pair only with equal digests: replay re-executes the
 * primary's guest on the backup's disks, so a backup whose disks differ would silently become a
 * different machine at go-live.
 *
 * @param hex the digest, 64 hex digits
 * @param millis how long computing it took (it reads every allocated block)
 */
public record ReplicaDigest(String hex, long millis) {

  /** Digest of {@code images}, the replica's disks in the guest's order. */
  public static ReplicaDigest of(List<Path> images) throws IOException {
    long started = System.nanoTime();
    ImageDigest images0 = new ImageDigest();
    MessageDigest all = sha256();
    for (Path image : images) {
      if (!Files.isRegularFile(image)) {
        throw new IOException("disk image " + image + " of this replica does not exist");
      }
      all.update(images0.of(image).getBytes(StandardCharsets.US_ASCII));
      all.update((byte) '\n');
    }
    return new ReplicaDigest(
        HexFormat.of().formatHex(all.digest()), (System.nanoTime() - started) / 1_000_000);
  }

  /**
   * The digest's first 63 bits, as a control message's position carries it (non-negative). Enough
   * to tell copies apart: an accidental match is a 2^-63 chance.
   */
  public long wireValue() {
    return HexFormat.fromHexDigitsToLong(hex, 0, 16) >>> 1;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
