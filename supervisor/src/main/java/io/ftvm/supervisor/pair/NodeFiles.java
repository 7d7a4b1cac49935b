package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Where a node keeps its things, under its state directory; one log store per epoch. */
public record NodeFiles(Path root, long epoch) {

  /** Creates the state directory; it is root's alone (0700) until an admin group is applied. */
  public static NodeFiles prepare(Path stateDirectory, long epoch) throws IOException {
    Files.createDirectories(stateDirectory);
    AdminAccess.rootOnly().restrictDirectory(stateDirectory);
    return new NodeFiles(stateDirectory.toAbsolutePath(), epoch);
  }

  public Path logStore() {
    return root.resolve("log-epoch-" + epoch);
  }

  public Path replayPipe() {
    return root.resolve("replay.fifo");
  }

  public Path netdevSocket() {
    return root.resolve("netdev.sock");
  }

  public Path consoleSocket() {
    return root.resolve("console.sock");
  }

  public Path qmpSocket() {
    return root.resolve("qmp.sock");
  }

  public Path controlSocket() {
    return root.resolve("control.sock");
  }

  public Path consoleLog() {
    return root.resolve("console.log");
  }

  public Path qemuLog() {
    return root.resolve("qemu.log");
  }

  public Path roleFile() {
    return root.resolve("role");
  }

  /** The role as a file too, so it can be read when the daemon is gone (tests, post-mortems). */
  void writeRole(NodeRole role, String reason) {
    try {
      Path tmp = root.resolve("role.tmp");
      Files.writeString(tmp, role + " " + reason + "\n", StandardCharsets.UTF_8);
      Files.move(
          tmp, roleFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
