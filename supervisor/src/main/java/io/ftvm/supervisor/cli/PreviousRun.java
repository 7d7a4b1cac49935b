package io.ftvm.supervisor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the files of the last pair that ran in a state directory in {@code previous-run/} before a
 * new pair starts there: the new pair must not pick up the old one's log stores, while the old logs
 * and consoles stay available for a post-mortem. Only the latest previous run is kept.
 */
final class PreviousRun {
  private static final Logger log = LoggerFactory.getLogger(PreviousRun.class);
  static final String DIRECTORY = "previous-run";
  static final List<String> PAIR_FILES =
      List.of(
          PairStateDirectory.PAIR_CONFIG,
          PairStateDirectory.LOCAL_PAIR,
          "channel.key",
          "shared",
          "a",
          "b");

  private PreviousRun() {}

  static void archive(PairStateDirectory directory) throws IOException {
    Path root = directory.root();
    List<String> present = PAIR_FILES.stream().filter(f -> Files.exists(root.resolve(f))).toList();
    if (present.isEmpty()) {
      return;
    }
    Path archive = root.resolve(DIRECTORY);
    deleteRecursively(archive);
    Files.createDirectories(archive);
    for (String file : present) {
      Files.move(root.resolve(file), archive.resolve(file));
    }
    log.info("kept the previous pair's files {} in {}", present, archive);
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
