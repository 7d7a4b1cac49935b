package io.ftvm.supervisor.follow;

import io.ftvm.supervisor.nativeos.TapDevice;
import io.ftvm.supervisor.pair.NetdevConnection;
import io.ftvm.supervisor.topology.CommandResult;
import io.ftvm.supervisor.topology.NetnsCommand;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private LAN for one guest NIC: a network namespace of our own holding a TAP interface with the
 * host address {@value #HOST_CIDR}, and two threads that move frames between that TAP and QEMU's
 * netdev socket. Clients run inside the namespace with {@link #exec}.
 *
 * <p>The TAP is opened by this JVM (in its own namespace) and then moved into the private one; its
 * descriptor keeps working. Every LAN uses the same host-side MAC, so a guest that went live on
 * another LAN finds the "same" host there without re-resolving ARP.
 */
final class GuestLan implements AutoCloseable {
  static final String HOST_CIDR = "10.77.0.1/24";
  static final String GUEST_IP = "10.77.0.10";
  private static final String HOST_MAC = "02:77:00:00:00:01";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
  private static final Duration TAP_POLL = Duration.ofMillis(100);
  private static final AtomicInteger SEQUENCE = new AtomicInteger();
  private static final Logger log = LoggerFactory.getLogger(GuestLan.class);

  private final String namespace;
  private final NetnsCommand commands = new NetnsCommand();
  private final List<Thread> threads = new ArrayList<>();
  private TapDevice tap;
  private NetdevConnection netdev;
  private volatile boolean inbound;
  private volatile boolean closed;

  private GuestLan(String namespace) {
    this.namespace = namespace;
  }

  /** Creates the namespace and its TAP; {@link #connect} attaches a guest NIC later. */
  static GuestLan create(String label) throws IOException {
    String namespace =
        "ftvmf-" + label + "-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
    GuestLan lan = new GuestLan(namespace);
    try {
      lan.setUp();
      return lan;
    } catch (IOException | RuntimeException e) {
      lan.close();
      throw e;
    }
  }

  private void setUp() throws IOException {
    ip("netns", "add", namespace);
    tap = TapDevice.open("ftvmf%d");
    ip("link", "set", tap.name(), "netns", namespace);
    ip("-n", namespace, "link", "set", tap.name(), "address", HOST_MAC);
    ip("-n", namespace, "addr", "add", HOST_CIDR, "dev", tap.name());
    ip("-n", namespace, "link", "set", tap.name(), "up");
    ip("-n", namespace, "link", "set", "lo", "up");
    log.info("LAN {} ready: {} {} in namespace {}", namespace, tap.name(), HOST_CIDR, namespace);
  }

  String namespace() {
    return namespace;
  }

  /**
   * Starts moving frames between the TAP and the guest NIC. Frames from the LAN reach the guest
   * only while {@code inbound} is set: a replaying backup takes its input from the log.
   */
  void connect(NetdevConnection guestNic, boolean inbound) {
    this.netdev = guestNic;
    this.inbound = inbound;
    daemon("lan-" + namespace + "-out", this::guestToLan);
    daemon("lan-" + namespace + "-in", this::lanToGuest);
  }

  void acceptInbound(boolean accept) {
    inbound = accept;
  }

  /** Runs {@code bash -c script bash args...} inside the namespace ({@code $1}... are args). */
  CommandResult exec(String script, Duration timeout, String... args) {
    List<String> argv =
        new ArrayList<>(List.of("ip", "netns", "exec", namespace, "bash", "-c", script, "bash"));
    argv.addAll(List.of(args));
    return commands.run(argv, timeout);
  }

  private void guestToLan() {
    try {
      while (!closed) {
        byte[] frame = netdev.readFrame();
        tap.writeFrame(frame, 0, frame.length);
      }
    } catch (EOFException e) {
      log.info("guest NIC on {} disconnected (QEMU exited)", namespace);
    } catch (IOException e) {
      if (!closed) {
        log.warn("guest to LAN {} stopped: {}", namespace, e.getMessage());
      }
    }
  }

  private void lanToGuest() {
    byte[] buffer = new byte[65536 + 64];
    try {
      while (!closed) {
        int length = tap.readFrame(buffer, TAP_POLL);
        if (length > 0 && inbound) {
          netdev.writeFrame(buffer, 0, length);
        }
      }
    } catch (IOException e) {
      if (!closed) {
        log.warn("LAN {} to guest stopped: {}", namespace, e.getMessage());
      }
    }
  }

  private void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
    threads.add(thread);
  }

  private void ip(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    CommandResult result = commands.run(argv, COMMAND_TIMEOUT);
    if (!result.succeeded()) {
      throw new IOException(
          result.commandLine() + " failed (exit " + result.exitCode() + "): " + result.stderr());
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    if (tap != null) {
      tap.close(); // a non-persistent TAP disappears with its descriptor
    }
    try {
      String listed = commands.run(List.of("ip", "netns", "list"), COMMAND_TIMEOUT).stdout();
      if (listed.lines().anyMatch(line -> line.split("\\s+", 2)[0].equals(namespace))) {
        ip("netns", "delete", namespace);
      }
    } finally {
      for (Thread thread : threads) {
        try {
          thread.join(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
