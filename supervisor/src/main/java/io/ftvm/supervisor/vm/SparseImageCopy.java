package io.ftvm.supervisor.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Copies a disk image (raw or qcow2: both are plain files) keeping it sparse: {@code cp
 * --sparse=always} skips the source's holes (SEEK_DATA/SEEK_HOLE) and also turns runs of zeros into
 * holes, so a 2 GiB image with 759 MiB used takes ~759 MiB per copy, not 2 GiB. The copy reads
 * exactly like the source. Replaces the target.
 */
public final class SparseImageCopy {

  public void copy(Path source, Path target) throws IOException {
    if (!Files.isRegularFile(source)) {
      throw new IOException("disk image " + source + " does not exist or is not a file");
    }
    Process cp =
        new ProcessBuilder(
                List.of(
                    "cp",
                    "--sparse=always",
                    "--no-preserve=all",
                    "-f",
                    "--",
                    source.toString(),
                    target.toString()))
            .redirectErrorStream(true)
            .start();
    String output = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int status;
    try {
      status = cp.waitFor();
    } catch (InterruptedException e) {
      cp.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while copying " + source, e);
    }
    if (status != 0) {
      throw new IOException(
          "cp --sparse=always " + source + " " + target + " failed (" + status + "): " + output);
    }
    if (Files.size(target) != Files.size(source)) {
      throw new IOException("copy of " + source + " has the wrong size");
    }
  }

  /** Bytes of the file that hold data (not holes), e.g. to report what a copy costs on disk. */
  public static long allocatedBytes(Path file) throws IOException {
    return ImageExtents.dataExtents(file).stream().mapToLong(ImageExtents.Extent::length).sum();
  }
}
