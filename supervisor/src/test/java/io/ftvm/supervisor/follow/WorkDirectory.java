package io.ftvm.supervisor.follow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A test's scratch directory: short (Unix socket paths) and deleted only when the test passed. */
final class WorkDirectory {
  private WorkDirectory() {}

  static Path create(String label) throws IOException {
    return Files.createTempDirectory(Path.of("/tmp"), "ftvmf-" + label + "-");
  }

  static void delete(Path directory) throws IOException {
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
