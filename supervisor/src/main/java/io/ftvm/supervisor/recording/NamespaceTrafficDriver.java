package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.nativeos.TapDevice;
import io.ftvm.supervisor.pair.GuestNetworkPath;
import io.ftvm.supervisor.pair.NetdevConnection;
import io.ftvm.supervisor.topology.CommandResult;
import io.ftvm.supervisor.topology.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private outside world for a recorded guest: a throwaway network namespace holding a TAP device
 * (the guest's wire, bridged to its NIC socket) with the guest network's first address, and a
 * {@link GuestTrafficClient} JVM in that namespace that keeps using the guest's services. Nothing
 * touches the host's own network; {@link #close()} deletes the namespace and with it the TAP.
 *
 * <p>The TAP is opened by this JVM (in the host namespace) and then moved into the namespace: a TAP
 * keeps its file descriptor across the move, and this way no frame copying process has to live
 * inside the namespace.
 */
public final class NamespaceTrafficDriver implements TrafficDriver {
  private static final Logger log = LoggerFactory.getLogger(NamespaceTrafficDriver.class);
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CLIENT_STOP = Duration.ofSeconds(5);
  private static final String NAMESPACE_PREFIX = "ftvm-rec-";

  private final CommandRunner runner;
  private final ChildProcessLauncher launcher;
  private final String guestIp;
  private final int prefixLength;
  private final Path clientLog;
  private final String namespace;
  private TapDevice tap;
  private GuestNetworkPath bridge;
  private Process client;
  private boolean namespaceCreated;

  public NamespaceTrafficDriver(
      CommandRunner runner,
      ChildProcessLauncher launcher,
      String guestIp,
      int prefixLength,
      Path workDirectory) {
    this.runner = runner;
    this.launcher = launcher;
    this.guestIp = guestIp;
    this.prefixLength = prefixLength;
    this.clientLog = workDirectory.resolve("traffic.log");
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    this.namespace = NAMESPACE_PREFIX + HexFormat.of().formatHex(random);
  }

  public String namespace() {
    return namespace;
  }

  /**
   * The outside world's address on the guest's network: the first host address, or the second if
   * the guest itself has the first.
   */
  static String outsideAddress(String guestIp, int prefixLength) {
    String[] octets = guestIp.split("\\.");
    if (octets.length != 4 || prefixLength < 8 || prefixLength > 30) {
      throw new IllegalArgumentException(
          "guest address " + guestIp + "/" + prefixLength + " is not a usable IPv4 network");
    }
    long address = 0;
    for (String octet : octets) {
      int value = Integer.parseInt(octet);
      if (value < 0 || value > 255) {
        throw new IllegalArgumentException("guest address " + guestIp + " is not IPv4");
      }
      address = (address << 8) | value;
    }
    long mask = (0xffffffffL << (32 - prefixLength)) & 0xffffffffL;
    long first = (address & mask) + 1;
    long outside = first == address ? first + 1 : first;
    return String.format(
        "%d.%d.%d.%d/%d",
        (outside >> 24) & 0xff,
        (outside >> 16) & 0xff,
        (outside >> 8) & 0xff,
        outside & 0xff,
        prefixLength);
  }

  @Override
  public void attach(NetdevConnection nic) throws IOException {
    String outside = outsideAddress(guestIp, prefixLength);
    ip(List.of("ip", "netns", "add", namespace));
    namespaceCreated = true;
    tap = TapDevice.open("ftvmrec%d");
    ip(List.of("ip", "link", "set", tap.name(), "netns", namespace));
    ip(List.of("ip", "-n", namespace, "link", "set", "lo", "up"));
    ip(List.of("ip", "-n", namespace, "addr", "add", outside, "dev", tap.name()));
    ip(List.of("ip", "-n", namespace, "link", "set", tap.name(), "up"));
    bridge = GuestNetworkPath.ungated(nic, tap);
    bridge.start(true);
    log.info(
        "outside world for the recording: namespace {}, {} at {}, guest {}",
        namespace,
        tap.name(),
        outside,
        guestIp);
  }

  @Override
  public void guestReady() throws IOException {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("-Xmx64m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(GuestTrafficClient.class.getName());
    command.add(guestIp);
    client =
        launcher.start(
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(clientLog.toFile())));
    log.info("traffic client started in {} (pid {}), log {}", namespace, client.pid(), clientLog);
  }

  @Override
  public String summary() {
    String last = "client did not run";
    try {
      if (Files.exists(clientLog)) {
        List<String> lines = Files.readAllLines(clientLog);
        if (!lines.isEmpty()) {
          last = "last exchange: " + lines.get(lines.size() - 1);
        }
      }
    } catch (IOException e) {
      last = "client log unreadable: " + e.getMessage();
    }
    return String.format(
        "network: %d frames to the guest, %d from it; %s",
        bridge == null ? 0 : bridge.framesToGuest(),
        bridge == null ? 0 : bridge.framesFromGuest(),
        last);
  }

  @Override
  public void stopTraffic() {
    stopClient();
    if (bridge != null) {
      bridge.close();
    }
  }

  @Override
  public void close() {
    stopTraffic();
    if (tap != null) {
      try {
        tap.close();
      } catch (IOException e) {
        log.warn("closing TAP {} failed: {}", tap.name(), e.getMessage());
      }
    }
    if (namespaceCreated) {
      CommandResult deleted = runner.run(List.of("ip", "netns", "delete", namespace), IP_TIMEOUT);
      if (deleted.succeeded()) {
        namespaceCreated = false;
        log.debug("deleted namespace {}", namespace);
      } else {
        log.warn("could not delete namespace {}: {}", namespace, deleted.stderr().strip());
      }
    }
  }

  private void stopClient() {
    if (client == null) {
      return;
    }
    client.destroy();
    try {
      if (!client.waitFor(CLIENT_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
        client.destroyForcibly();
        client.waitFor(CLIENT_STOP.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      client.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    client = null;
  }

  private void ip(List<String> argv) throws IOException {
    CommandResult result = runner.run(argv, IP_TIMEOUT);
    if (!result.succeeded()) {
      throw new IOException(
          result.commandLine()
              + " failed (exit "
              + result.exitCode()
              + "): "
              + result.stderr().strip());
    }
  }
}
