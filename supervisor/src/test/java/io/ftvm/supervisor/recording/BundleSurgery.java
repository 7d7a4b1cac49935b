package io.ftvm.supervisor.recording;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Damages run bundles the way disks, networks and people do, for bad-input tests. */
public final class BundleSurgery {
  private BundleSurgery() {}

  /** Writes a copy of {@code bundle} to {@code target} with one entry's bytes changed. */
  public static Path withEntry(
      Path bundle, Path target, String entryName, UnaryOperator<byte[]> change) throws IOException {
    boolean found = false;
    try (ZipFile in = new ZipFile(bundle.toFile());
        ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(target))) {
      for (ZipEntry entry : in.stream().toList()) {
        byte[] bytes = in.getInputStream(entry).readAllBytes();
        if (entry.getName().equals(entryName)) {
          bytes = change.apply(bytes);
          found = true;
        }
        zip.putNextEntry(new ZipEntry(entry.getName()));
        zip.write(bytes);
        zip.closeEntry();
      }
    }
    if (!found) {
      throw new IllegalArgumentException(bundle + " has no entry " + entryName);
    }
    return target;
  }
}
