package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.channel.ChannelListener;
import io.ftvm.channel.ChannelSecurity;
import io.ftvm.channel.ChannelSettings;
import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import io.ftvm.channel.LogStreamSender;
import io.ftvm.channel.NodeIdentity;
import io.ftvm.channel.PreSharedKey;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The re-protection protocol on real parts without a VM: the primary's {@link ChannelPairingStream}
 * and the joiner's {@link ChannelJoinSession} over a real logging channel on loopback, with real
 * FIFOs and log stores: the session at the new epoch, abort from either side (REPROTECT_ABORTED),
 * the switch seen in the FIFO, and an epoch mismatch refused.
 */
class ReprotectChannelIT {
  private static final String VM = "vm-reprotect";
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final ChannelSecurity key = ChannelSecurity.preShared(PreSharedKey.of(new byte[48]));
  private final ChannelSettings settings =
      ChannelSettings.defaults().withHeartbeat(Duration.ofMillis(50), Duration.ofMillis(1000));
  private final List<ControlMessage> primaryHeard = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> opened = new CopyOnWriteArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void tearDown() {
    for (AutoCloseable resource : opened) {
      try {
        resource.close();
      } catch (Exception e) {
        // best effort
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private ChannelJoinSession joiner(int port, long epoch) throws IOException {
    Path node = Files.createDirectories(dir.resolve("joiner-" + epoch));
    ChannelJoinSession session =
        ChannelJoinSession.listen(
            new NodeIdentity("a", VM, epoch),
            new InetSocketAddress("127.0.0.1", port),
            key,
            settings,
            node.resolve("log-epoch-" + epoch),
            node.resolve("replay-epoch-" + epoch + ".fifo"),
            ReplayBounds.of(PairConfig.Timing.defaults()),
            why -> {});
    opened.add(session);
    return session;
  }

  private ChannelPairingStream primary(int port, long epoch) throws IOException {
    Path node = Files.createDirectories(dir.resolve("primary-" + epoch));
    RoleStateMachine roles = new RoleStateMachine();
    roles.transition(NodeRole.PRIMARY_ALONE, "alone");
    ChannelPairingStream stream =
        ChannelPairingStream.open(
            new NodeIdentity("b", VM, epoch),
            node.resolve("replay-epoch-" + epoch + ".fifo"),
            node.resolve("log-epoch-" + epoch),
            (identity, source, listener) ->
                new LogStreamSender(
                    "127.0.0.1", port, identity, key, settings, source, listener, 0),
            roles,
            new ChannelListener() {
              @Override
              public void onControl(ControlMessage message) {
                primaryHeard.add(message);
              }
            },
            position -> {});
    opened.add(stream::stopShipping);
    return stream;
  }

  @Test
  void thePrimaryReachesTheJoinerAtTheNewEpochAndTheSwitchShowsInTheFifo() throws Exception {
    int port = freePort();
    ChannelJoinSession joiner = joiner(port, 2);
    ChannelPairingStream stream = primary(port, 2);

    assertThat(stream.awaitPeerConnected(WAIT)).isTrue();
    assertThat(joiner.awaitPrimary(WAIT)).isTrue();
    assertThat(stream.switched()).as("nothing recorded into the new FIFO yet").isFalse();
    assertThat(stream.tagger().positionCoveringOutputNow()).isZero();

    // The VM starts recording the new log at the switch (here: a writer puts bytes in).
    try (FifoWriter vm = Fifo.existing(stream.recordingFifo()).openForWriting()) {
      vm.write(new byte[] {1, 2, 3, 4}, 0, 4);
      await().atMost(WAIT).until(stream::switched);
    }
    assertThat(joiner.aborted()).isNull();
  }

  @Test
  void aPrimaryThatGivesUpTellsTheJoinerAndRemovesTheEpochsFiles() throws Exception {
    int port = freePort();
    ChannelJoinSession joiner = joiner(port, 2);
    ChannelPairingStream stream = primary(port, 2);
    assertThat(joiner.awaitPrimary(WAIT)).isTrue();
    assertThat(stream.awaitPeerConnected(WAIT)).isTrue();

    stream.abandon("clone failed: NBD connection refused");

    await().atMost(WAIT).until(() -> joiner.aborted() != null);
    assertThat(joiner.aborted()).contains("epoch 2");
    assertThat(stream.recordingFifo()).doesNotExist();
    assertThat(dir.resolve("primary-2").resolve("log-epoch-2")).doesNotExist();
  }

  @Test
  void aJoinerThatGivesUpTellsThePrimary() throws Exception {
    int port = freePort();
    ChannelJoinSession joiner = joiner(port, 3);
    ChannelPairingStream stream = primary(port, 3);
    assertThat(stream.awaitPeerConnected(WAIT)).isTrue();
    assertThat(joiner.awaitPrimary(WAIT)).isTrue();

    long started = System.nanoTime();
    joiner.abort("clone did not arrive");

    await()
        .atMost(WAIT)
        .until(() -> primaryHeard.contains(new ControlMessage(ControlType.REPROTECT_ABORTED, 3)));
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("abort, including unblocking a FIFO no VM ever opened")
        .isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void aPrimaryOfAnotherEpochNeverPairsWithTheJoiner() throws Exception {
    int port = freePort();
    ChannelJoinSession joiner = joiner(port, 3);
    ChannelPairingStream stale = primary(port, 2);

    assertThat(stale.awaitPeerConnected(Duration.ofSeconds(2))).isFalse();
    assertThat(joiner.awaitPrimary(Duration.ofMillis(100))).isFalse();
  }
}
