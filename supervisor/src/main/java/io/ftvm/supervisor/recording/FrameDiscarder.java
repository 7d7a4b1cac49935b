package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.pair.NetdevConnection;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads and drops every frame a guest sends, so QEMU never blocks on a full NIC socket. A guest
 * with a static address still sends (IPv6 router solicitations, ARP); nobody answers.
 */
final class FrameDiscarder {
  private static final Logger log = LoggerFactory.getLogger(FrameDiscarder.class);

  private final AtomicLong frames = new AtomicLong();

  void start(NetdevConnection nic) {
    Thread thread = new Thread(() -> drain(nic), "nic-discard");
    thread.setDaemon(true);
    thread.start();
  }

  long framesDropped() {
    return frames.get();
  }

  private void drain(NetdevConnection nic) {
    try {
      while (true) {
        nic.readFrame();
        frames.incrementAndGet();
      }
    } catch (EOFException e) {
      log.debug("guest NIC closed after {} discarded frames", frames.get());
    } catch (IOException e) {
      log.debug("guest NIC drain ended: {}", e.getMessage());
    }
  }
}
