package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP readiness probe: until the guest is up, connects to its port from this host (the host is
 * on the guest's LAN) and tells {@link GuestReadiness} once a connection was accepted. It probes
 * only while this node's outputs reach the LAN (a backup's guest answers nobody: its frames are
 * discarded until it goes live) and once the guest's address is known, configured or learned from
 * its traffic. A connection is closed at once; the guest sees one short-lived client.
 */
final class TcpReadinessProbe implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TcpReadinessProbe.class);

  /** Opens a connection, true when the peer accepted it within the timeout. */
  interface Connector {
    boolean connects(InetSocketAddress target, Duration timeout);

    /** A plain TCP connect, closed again at once. */
    static Connector socket() {
      return (target, timeout) -> {
        try (Socket socket = new Socket()) {
          socket.connect(target, (int) timeout.toMillis());
          return true;
        } catch (IOException e) {
          return false;
        }
      };
    }
  }

  private final int port;
  private final Supplier<Optional<InetAddress>> guestAddress;
  private final BooleanSupplier outputsReachTheLan;
  private final GuestReadiness readiness;
  private final Connector connector;
  private final Duration timeout;
  private final ScheduledExecutorService ticks =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "tcp-readiness-probe");
            thread.setDaemon(true);
            return thread;
          });

  /**
   * @param guestAddress the guest's IP, once known
   * @param outputsReachTheLan whether this node's guest is the one clients talk to now
   * @param timeout per connection attempt; also the pause between attempts
   */
  TcpReadinessProbe(
      int port,
      Supplier<Optional<InetAddress>> guestAddress,
      BooleanSupplier outputsReachTheLan,
      GuestReadiness readiness,
      Connector connector,
      Duration timeout) {
    this.port = port;
    this.guestAddress = guestAddress;
    this.outputsReachTheLan = outputsReachTheLan;
    this.readiness = readiness;
    this.connector = connector;
    this.timeout = timeout;
  }

  void start() {
    ticks.scheduleWithFixedDelay(
        this::probeOnce, timeout.toMillis(), timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * One attempt, if one is due.
   *
   * @return true once the guest is up (by this attempt or before)
   */
  boolean probeOnce() {
    if (readiness.isUp()) {
      ticks.shutdown();
      return true;
    }
    if (!outputsReachTheLan.getAsBoolean()) {
      return false;
    }
    Optional<InetAddress> address = guestAddress.get();
    if (address.isEmpty()) {
      return false;
    }
    InetSocketAddress target = new InetSocketAddress(address.get(), port);
    if (!connector.connects(target, timeout)) {
      return false;
    }
    String where = "TCP " + address.get().getHostAddress() + ":" + port + " accepted a connection";
    log.info("guest up: {}", where);
    readiness.tcpAccepted(where);
    return true;
  }

  @Override
  public void close() {
    ticks.shutdownNow();
  }
}
