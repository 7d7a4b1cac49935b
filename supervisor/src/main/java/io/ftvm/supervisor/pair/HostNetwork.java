package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The few host-side network changes a node makes, through iproute2. */
final class HostNetwork {
  private HostNetwork() {}

  /** Puts the VM's TAP device on the host bridge that leads to the clients' LAN, and ups it. */
  static void attachToBridge(String tap, String bridge) throws IOException {
    if (bridge != null && !bridge.isBlank()) {
      ip("link", "set", tap, "master", bridge);
    }
    ip("link", "set", tap, "up");
  }

  private static void ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException(String.join(" ", command) + " did not finish in 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + command, e);
    }
    if (process.exitValue() != 0) {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      throw new IOException(
          String.join(" ", command)
              + " failed (exit "
              + process.exitValue()
              + "): "
              + output.trim());
    }
  }
}
