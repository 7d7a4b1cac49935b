package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.vm.ReadinessProbe;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TcpReadinessProbeTest {
  private final GuestReadiness readiness =
      new GuestReadiness(Optional.of(ReadinessProbe.tcp(5432)), () -> 3_000);
  private final AtomicReference<Optional<InetAddress>> address =
      new AtomicReference<>(Optional.empty());
  private final AtomicBoolean live = new AtomicBoolean(true);
  private final List<InetSocketAddress> attempts = new ArrayList<>();
  private final AtomicBoolean accepting = new AtomicBoolean();

  private TcpReadinessProbe probe() {
    return new TcpReadinessProbe(
        5432,
        address::get,
        live::get,
        readiness,
        (target, timeout) -> {
          attempts.add(target);
          return accepting.get();
        },
        Duration.ofMillis(10));
  }

  @Test
  void noAttemptBeforeTheGuestsAddressIsKnown() {
    TcpReadinessProbe probe = probe();

    assertThat(probe.probeOnce()).isFalse();
    assertThat(attempts).isEmpty();
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
  }

  @Test
  void aBackupDoesNotProbeItsGuestWhoseFramesAreDiscarded() throws Exception {
    address.set(Optional.of(InetAddress.getByName("10.77.0.10")));
    live.set(false);
    accepting.set(true);

    assertThat(probe().probeOnce()).isFalse();
    assertThat(attempts).isEmpty();
  }

  @Test
  void upOnceThePortAcceptsAndThenNoMoreAttempts() throws Exception {
    address.set(Optional.of(InetAddress.getByName("10.77.0.10")));
    TcpReadinessProbe probe = probe();

    assertThat(probe.probeOnce()).isFalse();
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.BOOTING);
    accepting.set(true);
    assertThat(probe.probeOnce()).isTrue();
    assertThat(probe.probeOnce()).isTrue();

    assertThat(attempts)
        .hasSize(2)
        .allMatch(a -> a.getPort() == 5432 && a.getHostString().equals("10.77.0.10"));
    assertThat(readiness.readiness()).isEqualTo(GuestView.Readiness.UP);
    assertThat(readiness.detail()).startsWith("TCP 10.77.0.10:5432 accepted a connection 3.0 s");
  }

  @Test
  void theSocketConnectorSeesARealListenerAndAClosedPort() throws IOException {
    TcpReadinessProbe.Connector socket = TcpReadinessProbe.Connector.socket();
    InetSocketAddress target;
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      target = new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
      assertThat(socket.connects(target, Duration.ofSeconds(2))).isTrue();
    }
    assertThat(socket.connects(target, Duration.ofSeconds(2))).as("closed port").isFalse();
  }

  @Test
  void startedItProbesOnItsOwnUntilUp() throws Exception {
    address.set(Optional.of(InetAddress.getByName("10.77.0.10")));
    accepting.set(true);
    try (TcpReadinessProbe probe = probe()) {
      probe.start();
      await().atMost(Duration.ofSeconds(5)).until(readiness::isUp);
    }
  }
}
