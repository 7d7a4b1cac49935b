package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PeerMonitorAndFlowControlTest {
  private final FakeClock clock = new FakeClock();

  @Test
  void declaresPeerLostAfterTimeoutAndAliveOnTraffic() {
    List<String> events = new ArrayList<>();
    PeerMonitor monitor =
        new PeerMonitor(
            clock,
            Duration.ofMillis(500).toNanos(),
            new PeerMonitor.Listener() {
              @Override
              public void onPeerLost(String reason, long lastHeardNanos) {
                events.add("lost:" + reason);
              }

              @Override
              public void onPeerAlive() {
                events.add("alive");
              }
            });
    monitor.check();
    assertThat(events).as("not armed before first frame").isEmpty();
    monitor.onTraffic();
    clock.advance(Duration.ofMillis(500));
    monitor.onReceivePathCurrent(clock.nanoTime());
    monitor.check();
    assertThat(events).isEmpty();
    clock.advance(Duration.ofMillis(1));
    monitor.onReceivePathCurrent(clock.nanoTime());
    monitor.check();
    monitor.check();
    assertThat(events)
        .containsExactly(
            "lost:no frame from peer for 501 ms (failure timeout 500 ms; receive path checked 0 ms"
                + " ago)");
    assertThat(monitor.isLost()).isTrue();
    monitor.onTraffic();
    assertThat(events).endsWith("alive");
    assertThat(monitor.isLost()).isFalse();
  }

  @Test
  void windowClosesOnUnackedBytesAndReopensOnAck() throws InterruptedException {
    FlowControlWindow window = new FlowControlWindow(clock, 1000, Duration.ofSeconds(10), 0);
    window.onOffered(600);
    assertThat(window.isOpenFor(1000)).isTrue();
    assertThat(window.isOpenFor(1001)).isFalse();
    assertThat(window.await(1001, Duration.ZERO)).isFalse();
    window.onAck(600);
    assertThat(window.isOpenFor(1600)).isTrue();
    assertThat(window.ackedPosition()).isEqualTo(600);
    assertThat(window.onAck(500)).as("acks never go backwards").isFalse();
  }

  @Test
  void windowClosesWhenOldestUnackedChunkIsTooOld() {
    FlowControlWindow window = new FlowControlWindow(clock, 1 << 20, Duration.ofMillis(200), 0);
    window.onOffered(10);
    clock.advance(Duration.ofMillis(201));
    assertThat(window.isOpenFor(20)).isFalse();
    assertThat(window.isThrottled()).isTrue();
    assertThat(window.lagNanos()).isEqualTo(Duration.ofMillis(201).toNanos());
    window.onAck(10);
    assertThat(window.isOpenFor(20)).isTrue();
    assertThat(window.isThrottled()).isFalse();
  }

  @Test
  void blockedProducerIsReleasedByAckAndThrottledTimeCounted() throws Exception {
    FlowControlWindow window =
        new FlowControlWindow(MonotonicClock.system(), 100, Duration.ofSeconds(10), 0);
    window.onOffered(100);
    Thread acker =
        new Thread(
            () -> {
              org.awaitility.Awaitility.await().until(window::isThrottled);
              window.onAck(100);
            });
    acker.start();
    assertThat(window.await(150, Duration.ofSeconds(5))).isTrue();
    acker.join();
    assertThat(window.throttledNanos()).isPositive();
  }
}
