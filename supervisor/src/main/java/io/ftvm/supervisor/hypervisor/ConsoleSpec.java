package io.ftvm.supervisor.hypervisor;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the guest's serial console goes.
 *
 * @param kind {@link Kind#SOCKET}: a Unix socket the supervisor listens on and QEMU connects to, so
 *     console output can be gated and input injected; {@link Kind#FILE}: QEMU appends to a file
 */
public record ConsoleSpec(Kind kind, Path path) {
  public enum Kind {
    SOCKET,
    FILE
  }

  public ConsoleSpec {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "console path");
  }

  public static ConsoleSpec socket(Path path) {
    return new ConsoleSpec(Kind.SOCKET, path);
  }

  public static ConsoleSpec file(Path path) {
    return new ConsoleSpec(Kind.FILE, path);
  }
}
