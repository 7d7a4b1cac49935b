package io.ftvm.channel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares the peer LOST when no authenticated frame (of any type) arrived for {@code
 * failureTimeoutNanos}, and ALIVE again on the next frame. Armed by the first frame heard, so a
 * node that never had a peer does not report a loss. {@link #check()} is driven by a periodic task;
 * both methods are called on the channel's event loop.
 */
public final class PeerMonitor {
  private static final Logger log = LoggerFactory.getLogger(PeerMonitor.class);

  /** Receives liveness transitions. */
  public interface Listener {
    void onPeerLost(String reason, long lastHeardNanos);

    void onPeerAlive();
  }

  private final MonotonicClock clock;
  private final long failureTimeoutNanos;
  private final Listener listener;
  private volatile long lastHeardNanos;
  private volatile boolean armed;
  private volatile boolean lost;

  public PeerMonitor(MonotonicClock clock, long failureTimeoutNanos, Listener listener) {
    this.clock = clock;
    this.failureTimeoutNanos = failureTimeoutNanos;
    this.listener = listener;
  }

  public void onTraffic() {
    lastHeardNanos = clock.nanoTime();
    armed = true;
    if (lost) {
      lost = false;
      log.info("Peer alive again");
      listener.onPeerAlive();
    }
  }

  public void check() {
    if (!armed || lost) {
      return;
    }
    long silence = clock.nanoTime() - lastHeardNanos;
    if (silence > failureTimeoutNanos) {
      lost = true;
      String reason =
          "no frame from peer for "
              + silence / 1_000_000
              + " ms (failure timeout "
              + failureTimeoutNanos / 1_000_000
              + " ms)";
      log.warn("Peer lost: {}", reason);
      listener.onPeerLost(reason, lastHeardNanos);
    }
  }

  public boolean isLost() {
    return lost;
  }

  public long lastHeardNanos() {
    return lastHeardNanos;
  }
}
