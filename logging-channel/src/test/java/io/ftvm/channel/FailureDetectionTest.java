package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The failure-detection rule with an injected clock: the timeline of heartbeats, detector ticks and
 * event-loop probes is played by hand, the way {@link FailureDetectorThread} drives it.
 */
class FailureDetectionTest {
  private static final Duration TIMEOUT = Duration.ofMillis(1000);
  private static final Duration HEARTBEAT = Duration.ofMillis(100);
  private static final Duration TICK = HEARTBEAT.dividedBy(2);

  private final FakeClock clock = new FakeClock();
  private final List<String> events = new ArrayList<>();
  private final List<Long> eventTimes = new ArrayList<>();
  private final PeerMonitor monitor =
      new PeerMonitor(
          clock,
          TIMEOUT.toNanos(),
          new PeerMonitor.Listener() {
            @Override
            public void onPeerLost(String reason, long lastHeardNanos) {
              events.add("lost");
              eventTimes.add(clock.nanoTime());
            }

            @Override
            public void onPeerAlive() {
              events.add("alive");
              eventTimes.add(clock.nanoTime());
            }
          });

  /** One healthy detector tick: the probe posted now runs at once, then the check. */
  private void onTimeTick() {
    monitor.onReceivePathCurrent(clock.nanoTime());
    monitor.check();
  }

  /** {@code duration} of healthy operation; the peer's heartbeats arrive if it is alive. */
  private void run(Duration duration, boolean peerAlive) {
    for (long t = 0; t < duration.toNanos(); t += TICK.toNanos()) {
      clock.advance(TICK);
      if (peerAlive && (t / TICK.toNanos()) % 2 == 1) {
        monitor.onTraffic();
      }
      onTimeTick();
    }
  }

  @Test
  void deadPeerIsDeclaredLostWithinTimeoutPlusOneTick() {
    run(Duration.ofSeconds(2), true);
    long lastHeard = monitor.lastHeardNanos();
    run(Duration.ofSeconds(3), false);
    assertThat(events).containsExactly("lost");
    long detection = eventTimes.get(0) - lastHeard;
    assertThat(detection).isGreaterThan(TIMEOUT.toNanos());
    assertThat(detection).isLessThanOrEqualTo(TIMEOUT.plus(TICK).toNanos());
  }

  @Test
  void wholeProcessStallIsNotAPeerLoss() {
    run(Duration.ofSeconds(1), true);
    // This JVM is starved (or paused for GC) for 2 s: nothing of ours runs, the peer's heartbeats
    // queue in the socket. The detector thread wakes first and checks before the event loop reads.
    clock.advance(Duration.ofSeconds(2));
    monitor.check();
    assertThat(events).as("the silence was ours").isEmpty();
    // Then the event loop runs: it reads the queued frames before it runs the probe.
    long posted = clock.nanoTime();
    monitor.onTraffic();
    monitor.onReceivePathCurrent(posted);
    monitor.check();
    run(Duration.ofSeconds(1), true);
    assertThat(events).isEmpty();
  }

  @Test
  void starvedEventLoopUnderAnOnTimeDetectorIsNotAPeerLoss() {
    run(Duration.ofSeconds(1), true);
    // The detector ticks on time but the event loop (which reads frames) does not run for 1.5 s:
    // the probe posted at the start of the stall stays pending, the watermark stays put.
    long stalledProbe = clock.nanoTime();
    for (int i = 0; i < 30; i++) {
      clock.advance(TICK);
      monitor.check();
    }
    assertThat(events).isEmpty();
    monitor.onTraffic();
    monitor.onReceivePathCurrent(stalledProbe);
    run(Duration.ofSeconds(1), true);
    assertThat(events).isEmpty();
  }

  @Test
  void peerLateButWithinTimeoutIsNotALoss() {
    run(Duration.ofSeconds(1), true);
    // The peer's host is busy: its next frame comes 950 ms late while we tick on time.
    run(Duration.ofMillis(950), false);
    monitor.onTraffic();
    run(Duration.ofSeconds(1), true);
    assertThat(events).isEmpty();
  }

  @Test
  void peerRecoveryAfterALossReportsAlive() {
    run(Duration.ofSeconds(1), true);
    run(Duration.ofMillis(1200), false);
    assertThat(events).containsExactly("lost");
    run(Duration.ofMillis(200), true);
    assertThat(events).containsExactly("lost", "alive");
    assertThat(monitor.isLost()).isFalse();
  }

  @Test
  void deadPeerDuringALocalStallIsDeclaredLostOnceTheReceivePathCatchesUp() {
    run(Duration.ofSeconds(1), true);
    long lastHeard = monitor.lastHeardNanos();
    // The peer dies while we are stalled for 2 s; nothing is queued for us.
    clock.advance(Duration.ofSeconds(2));
    monitor.check();
    assertThat(events).isEmpty();
    onTimeTick();
    assertThat(events).containsExactly("lost");
    assertThat(eventTimes.get(0) - lastHeard).isGreaterThan(TIMEOUT.toNanos());
  }

  @Test
  void neverArmedWithoutAFrameNorCheckedWithoutAProbe() {
    run(Duration.ofSeconds(3), false);
    assertThat(events).as("no peer was ever heard").isEmpty();
    monitor.onTraffic();
    clock.advance(Duration.ofSeconds(3));
    monitor.check();
    assertThat(events).as("no probe ran since: nothing observed").isEmpty();
  }

  @Test
  void heartbeatStatsSplitGapsIntoPeerAndLocalAndGivePercentiles() {
    HeartbeatStats stats = new HeartbeatStats(Long.MAX_VALUE);
    assertThat(stats.gapPercentileNanos(0.999)).isEqualTo(-1);
    long arrival = 0;
    long peer = 5_000_000_000L;
    stats.onHeartbeat(arrival, peer);
    for (int i = 0; i < 999; i++) {
      arrival += 100_000_000;
      peer += 100_000_000;
      stats.onHeartbeat(arrival, peer);
    }
    // One gap of 420 ms at arrival of which the peer's own sending accounts for 300 ms.
    arrival += 420_000_000;
    peer += 300_000_000;
    stats.onHeartbeat(arrival, peer);
    stats.onLocalDelay("tick", 120_000_000);
    stats.onLocalDelay("probe", 20_000_000);
    assertThat(stats.gapSamples()).isEqualTo(1000);
    assertThat(stats.maxGapNanos()).isEqualTo(420_000_000);
    assertThat(stats.maxPeerSendGapNanos()).isEqualTo(300_000_000);
    assertThat(stats.maxLocalStallNanos()).isEqualTo(120_000_000);
    assertThat(stats.gapPercentileNanos(0.5)).isEqualTo(100_000_000);
    assertThat(stats.gapPercentileNanos(0.999)).isEqualTo(100_000_000);
    assertThat(stats.gapPercentileNanos(1.0)).isEqualTo(420_000_000);
    stats.onSessionStart();
    stats.onHeartbeat(arrival + 5_000_000_000L, 0);
    assertThat(stats.gapSamples()).as("a new session's first beat is no gap").isEqualTo(1000);
  }
}
