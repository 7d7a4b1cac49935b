package io.ftvm.channel;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares the peer LOST when, for longer than {@code failureTimeoutNanos}, no authenticated frame
 * of any type (heartbeat, log, ack, control) arrived <em>while this end was able to hear it</em>,
 * and ALIVE again on the next frame. Armed by the first frame heard, so a node that never had a
 * peer does not report a loss.
 *
 * <p>Why "able to hear": frames are only noticed when this end's event loop reads them. If this
 * process stalls (CPU starvation, GC, SIGSTOP), the peer's frames wait unread in the socket and
 * plain "now - last frame" grows although the peer is fine; that silence is ours. So silence is
 * measured only up to the <em>receive watermark</em>: the time a probe was posted to the event loop
 * whose execution proves every frame that arrived before it has been read ({@link
 * #onReceivePathCurrent}). A local stall holds the watermark back instead of counting as peer
 * silence; a dead peer still pushes silence past the timeout once the watermark moves, one detector
 * tick plus one event-loop turn after the timeout.
 *
 * <p>Threads: {@link #onTraffic} and {@link #onReceivePathCurrent} run on the event loop, {@link
 * #check} on the failure-detector thread; transitions are serialised so "lost" and "alive" are
 * reported in the order they happened.
 */
public final class PeerMonitor {
  private static final Logger log = LoggerFactory.getLogger(PeerMonitor.class);

  /** Receives liveness transitions; called on the detector thread or the event loop. */
  public interface Listener {
    void onPeerLost(String reason, long lastHeardNanos);

    void onPeerAlive();
  }

  private final MonotonicClock clock;
  private final long failureTimeoutNanos;
  private final Listener listener;
  private volatile long lastHeardNanos;
  private volatile long receiveWatermarkNanos;
  private volatile boolean watermarkKnown;
  private volatile boolean armed;
  private volatile boolean lost;

  public PeerMonitor(MonotonicClock clock, long failureTimeoutNanos, Listener listener) {
    this.clock = clock;
    this.failureTimeoutNanos = failureTimeoutNanos;
    this.listener = listener;
  }

  /** Event loop: an authenticated frame arrived. */
  public void onTraffic() {
    lastHeardNanos = clock.nanoTime();
    armed = true;
    if (lost) {
      synchronized (this) {
        if (lost) {
          lost = false;
          log.info("Peer alive again");
          listener.onPeerAlive();
        }
      }
    }
  }

  /**
   * Event loop: a probe posted at {@code postedNanos} ran, so every frame that reached this host
   * before then has been read (Netty reads ready sockets before running queued tasks).
   */
  public void onReceivePathCurrent(long postedNanos) {
    if (!watermarkKnown || postedNanos > receiveWatermarkNanos) {
      receiveWatermarkNanos = postedNanos;
      watermarkKnown = true;
    }
  }

  /** Detector thread, every tick: declares the peer lost if its silence exceeds the timeout. */
  public synchronized void check() {
    if (!armed || lost || !watermarkKnown) {
      return;
    }
    long heard = lastHeardNanos;
    long silence = receiveWatermarkNanos - heard;
    if (silence > failureTimeoutNanos) {
      lost = true;
      long unobserved = Math.max(0, clock.nanoTime() - receiveWatermarkNanos);
      String reason =
          "no frame from peer for "
              + silence / 1_000_000
              + " ms (failure timeout "
              + failureTimeoutNanos / 1_000_000
              + " ms; receive path checked "
              + unobserved / 1_000_000
              + " ms ago)";
      log.warn("Peer lost: {}", reason);
      listener.onPeerLost(reason, heard);
    }
  }

  public boolean isLost() {
    return lost;
  }

  public long lastHeardNanos() {
    return lastHeardNanos;
  }

  public long failureTimeoutNanos() {
    return failureTimeoutNanos;
  }
}
