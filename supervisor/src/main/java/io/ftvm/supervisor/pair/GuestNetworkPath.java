package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.nativeos.TapDevice;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves Ethernet frames between the guest's NIC (QEMU's netdev socket) and this host's TAP device.
 * Frames from the guest pass the {@link HeldOutputGate}; frames to the guest pass only while {@link
 * #acceptInbound} is on (a replaying backup takes its input from the log, not the LAN).
 */
public final class GuestNetworkPath implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(GuestNetworkPath.class);
  private static final Duration TAP_POLL = Duration.ofMillis(200);

  private final NetdevConnection netdev;
  private final TapDevice tap;
  private final HeldOutputGate gate;
  private final OutputTagger tagger;
  private final GuestAddressLearner learner;
  private final java.util.concurrent.atomic.AtomicLong framesFromGuest =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong framesToGuest =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean acceptInbound;
  private volatile boolean closed;

  public GuestNetworkPath(
      NetdevConnection netdev, TapDevice tap, HeldOutputGate gate, OutputTagger tagger) {
    this(netdev, tap, gate, tagger, null);
  }

  /**
   * @param learner shown every frame from the guest and from the LAN, to learn the guest's IP
   *     address from its own traffic (null: not learned)
   */
  public GuestNetworkPath(
      NetdevConnection netdev,
      TapDevice tap,
      HeldOutputGate gate,
      OutputTagger tagger,
      GuestAddressLearner learner) {
    this.netdev = netdev;
    this.tap = tap;
    this.gate = gate;
    this.tagger = tagger;
    this.learner = learner;
  }

  /**
   * A path with no Output Rule: frames leave as soon as the guest sends them (a VM that is not
   * protected, e.g. while recording a run for CI, or a benchmark's baseline).
   */
  public static GuestNetworkPath ungated(NetdevConnection netdev, TapDevice tap) {
    HeldOutputGate gate =
        new HeldOutputGate(
            "network", frame -> tap.writeFrame(frame, 0, frame.length), new LatencyRecorder(16));
    gate.openUnprotected();
    return new GuestNetworkPath(netdev, tap, gate, () -> 0);
  }

  public long framesFromGuest() {
    return framesFromGuest.get();
  }

  public long framesToGuest() {
    return framesToGuest.get();
  }

  public void start(boolean inbound) {
    acceptInbound = inbound;
    daemon("guest-to-lan", this::guestToLan);
    daemon("lan-to-guest", this::lanToGuest);
  }

  public HeldOutputGate gate() {
    return gate;
  }

  /** Alone or live: frames from the guest leave without waiting for an ack. */
  public void gateOpen() {
    gate.openUnprotected();
  }

  public void acceptInbound(boolean accept) {
    acceptInbound = accept;
  }

  /**
   * Tells the LAN's switches the VM's MAC is now behind this host: RARP broadcasts from the VM's
   * MAC (as VMware FT does; needs no IP), and gratuitous ARPs when the guest's IP is known.
   *
   * @param ip the guest's address, or null when neither configured nor learned
   * @param ipSource where {@code ip} came from, for the log
   */
  public void announce(MacAddress mac, Inet4Address ip, String ipSource, int copies) {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < copies; i++) {
      frames.add(ReverseArp.announce(mac));
    }
    if (ip != null) {
      for (int i = 0; i < copies; i++) {
        frames.add(GratuitousArp.announce(mac, ip));
      }
    }
    for (byte[] frame : frames) {
      try {
        tap.writeFrame(frame, 0, frame.length);
      } catch (IOException e) {
        log.warn("announcing {} failed: {}", mac, e.getMessage());
      }
    }
    if (ip == null) {
      log.info("announced {} ({} RARPs); guest IP unknown: no gratuitous ARP", mac, copies);
    } else {
      log.info(
          "announced {} ({} RARPs) at {} ({}; {} gratuitous ARPs)",
          mac,
          copies,
          ip.getHostAddress(),
          ipSource,
          copies);
    }
  }

  private void guestToLan() {
    try {
      while (!closed) {
        byte[] frame = netdev.readFrame();
        framesFromGuest.incrementAndGet();
        if (learner != null) {
          learner.observe(frame, frame.length);
        }
        gate.submit(tagger.positionCoveringOutputNow(), frame);
      }
    } catch (EOFException e) {
      log.info("guest NIC disconnected (QEMU exited)");
    } catch (IOException e) {
      if (!closed) {
        log.warn("guest NIC read failed: {}", e.getMessage());
      }
    }
  }

  private void lanToGuest() {
    byte[] buffer = new byte[NetdevConnection.MAX_FRAME];
    try {
      while (!closed) {
        int length = tap.readFrame(buffer, TAP_POLL);
        if (length > 0 && learner != null) {
          // A backup sees the guest's broadcasts (ARP requests) arrive from the primary's host.
          learner.observe(buffer, length);
        }
        if (length > 0 && acceptInbound) {
          netdev.writeFrame(buffer, 0, length);
          framesToGuest.incrementAndGet();
        }
      }
    } catch (IOException e) {
      if (!closed) {
        log.warn("LAN to guest path stopped: {}", e.getMessage());
      }
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    closed = true;
    gate.close();
  }
}
