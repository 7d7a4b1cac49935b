package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ReplicaState} on this node's files: the log stores ({@code log-epoch-<n>} under the state
 * directory) are deleted and the disk image is replaced by a sparse file of the same size. The new
 * image is written beside the old one and renamed over it, so a crash leaves either the old image
 * (discarded again on the next start) or the empty one, never a half-truncated mixture.
 */
final class DiskReplicaState implements ReplicaState {
  private final Path stateDirectory;
  private final Path disk;

  DiskReplicaState(Path stateDirectory, Path disk) {
    this.stateDirectory = stateDirectory;
    this.disk = disk;
  }

  @Override
  public String discard() throws IOException {
    List<String> removed = new ArrayList<>();
    if (Files.isDirectory(stateDirectory)) {
      try (DirectoryStream<Path> entries =
          Files.newDirectoryStream(stateDirectory, "log-epoch-*")) {
        for (Path store : entries) {
          FileTrees.deleteTree(store);
          removed.add(store.getFileName().toString());
        }
      }
    }
    if (!Files.isRegularFile(disk)) {
      throw new IOException(
          "disk image "
              + disk
              + " is missing: its size is what the clone target needs; restore any image of the"
              + " VM's disk size there");
    }
    long size = Files.size(disk);
    Path fresh = disk.resolveSibling(disk.getFileName() + ".empty");
    Files.deleteIfExists(fresh);
    try (RandomAccessFile file = new RandomAccessFile(fresh.toFile(), "rw")) {
      file.setLength(size); // sparse: no blocks until the clone writes them
    }
    Files.move(
        fresh,
        disk,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return "logs " + removed + " and the disk image " + disk + " (now empty, " + size + " bytes)";
  }
}
