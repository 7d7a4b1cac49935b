package io.ftvm.supervisor.recording;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A temporary directory for one run (disk copy, raw log, sockets, console, QEMU log). Deleted on
 * close unless {@link #keep()} was called, which a failed run does so its QEMU log can be read.
 */
final class WorkDirectory implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WorkDirectory.class);

  private final Path path;
  private boolean keep;

  private WorkDirectory(Path path) {
    this.path = path;
  }

  static WorkDirectory create(String prefix) throws IOException {
    return new WorkDirectory(Files.createTempDirectory(prefix));
  }

  Path path() {
    return path;
  }

  Path resolve(String name) {
    return path.resolve(name);
  }

  void keep() {
    keep = true;
  }

  @Override
  public void close() {
    if (keep) {
      log.info("kept work directory {} for inspection", path);
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      log.warn("could not delete work directory {}: {}", path, e.getMessage());
    }
  }
}
