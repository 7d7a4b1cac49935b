package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.nativeos.TapDevice;
import io.ftvm.supervisor.pair.NetdevConnection;
import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Copies Ethernet frames both ways between a guest's NIC socket and a TAP device. */
final class FrameBridge implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FrameBridge.class);
  private static final Duration TAP_POLL = Duration.ofMillis(200);
  /** The guest's MTU is 1500; this leaves room for anything a TAP may hand over. */
  private static final int MAX_FRAME = 65536 + 64;

  private final NetdevConnection nic;
  private final TapDevice tap;
  private final AtomicLong framesToGuest = new AtomicLong();
  private final AtomicLong framesFromGuest = new AtomicLong();
  private volatile boolean closed;

  FrameBridge(NetdevConnection nic, TapDevice tap) {
    this.nic = nic;
    this.tap = tap;
  }

  void start() {
    daemon("bridge-guest-to-tap", this::guestToTap);
    daemon("bridge-tap-to-guest", this::tapToGuest);
  }

  long framesToGuest() {
    return framesToGuest.get();
  }

  long framesFromGuest() {
    return framesFromGuest.get();
  }

  private void guestToTap() {
    try {
      while (!closed) {
        byte[] frame = nic.readFrame();
        tap.writeFrame(frame, 0, frame.length);
        framesFromGuest.incrementAndGet();
      }
    } catch (EOFException e) {
      log.debug("guest NIC closed (QEMU exited)");
    } catch (IOException e) {
      if (!closed) {
        log.warn("guest to TAP {} stopped: {}", tap.name(), e.getMessage());
      }
    }
  }

  private void tapToGuest() {
    byte[] buffer = new byte[MAX_FRAME];
    try {
      while (!closed) {
        int length = tap.readFrame(buffer, TAP_POLL);
        if (length > 0) {
          nic.writeFrame(buffer, 0, length);
          framesToGuest.incrementAndGet();
        }
      }
    } catch (IOException e) {
      if (!closed) {
        log.warn("TAP {} to guest stopped: {}", tap.name(), e.getMessage());
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
  }
}
