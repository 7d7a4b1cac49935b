package io.ftvm.supervisor.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.Properties;

/**
 * The file {@code topology-<pairId>.pid} that says which process owns a pair id. It is written
 * before the first namespace exists and removed after the last one is gone, so a namespace without
 * a live owner is always a leftover.
 */
final class OwnerMarker {
  private final Path file;

  OwnerMarker(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /**
   * Atomically claims the pair id for {@code owner}: the complete marker appears at once or not at
   * all, and only if no marker exists yet.
   *
   * @return false if a marker already exists
   */
  boolean claim(ProcessIdentity owner) {
    try {
      Files.createDirectories(file.getParent());
      Path draft = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      try {
        Files.writeString(
            draft,
            "pid=" + owner.pid() + "\nstartTime=" + owner.startTime() + "\n",
            StandardCharsets.UTF_8);
        // link(2) fails if the target exists, unlike rename(2), which would replace it.
        Files.createLink(file, draft);
        return true;
      } catch (FileAlreadyExistsException e) {
        return false;
      } finally {
        Files.deleteIfExists(draft);
      }
    } catch (IOException e) {
      throw new TopologyException("cannot write owner marker " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The recorded owner, empty if there is no marker.
   *
   * @throws TopologyException if the marker exists but does not name a pid and start time
   */
  Optional<ProcessIdentity> owner() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new TopologyException("cannot read owner marker " + file + ": " + e.getMessage(), e);
    }
    Properties fields = parse(text);
    try {
      return Optional.of(
          new ProcessIdentity(
              Long.parseLong(fields.getProperty("pid", "")),
              Long.parseLong(fields.getProperty("startTime", ""))));
    } catch (NumberFormatException e) {
      throw new TopologyException(
          "owner marker "
              + file
              + " is malformed (expected lines pid=<n> and startTime=<n>): '"
              + text.strip()
              + "'");
    }
  }

  /**
   * Replaces the recorded owner, e.g. when the creating process hands the topology to a daemon that
   * outlives it. The new marker replaces the old one atomically, so the pair id is never unowned.
   */
  void transferTo(ProcessIdentity owner) {
    try {
      Path draft = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      try {
        Files.writeString(
            draft,
            "pid=" + owner.pid() + "\nstartTime=" + owner.startTime() + "\n",
            StandardCharsets.UTF_8);
        Files.move(
            draft, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(draft);
      }
    } catch (IOException e) {
      throw new TopologyException(
          "cannot hand owner marker " + file + " to pid " + owner.pid() + ": " + e.getMessage(), e);
    }
  }

  void delete() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new TopologyException("cannot remove owner marker " + file + ": " + e.getMessage(), e);
    }
  }

  private static Properties parse(String text) {
    Properties fields = new Properties();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        fields.setProperty(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
      }
    }
    return fields;
  }
}
