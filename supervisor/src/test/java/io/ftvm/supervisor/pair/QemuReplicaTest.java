package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QemuReplicaTest {
  @TempDir Path dir;
  private ProcessVm qemu;

  @AfterEach
  void killStandIn() {
    if (qemu != null) {
      qemu.kill();
    }
  }

  private QemuReplica replica() {
    return new QemuReplica(dir.resolve("qemu.log"), NodeSupervisor.KILL_BOUND);
  }

  /**
   * Issue 7 bug 5: the backup starts QEMU on its own thread; a node fenced while QEMU was still
   * starting used to adopt it afterwards and keep it running, HALTED with a live VM.
   */
  @Test
  void aQemuThatFinishesStartingAfterTheNodeWasFencedIsKilledWithinTheBound() throws Exception {
    QemuReplica replica = replica();
    assertThat(replica.refuseLaunchesAndGetProcess()).isEmpty();
    qemu = ProcessVm.sleeping();

    long start = System.nanoTime();
    boolean adopted = replica.attach(qemu);
    Duration killed = Duration.ofNanos(System.nanoTime() - start);

    assertThat(adopted).isFalse();
    assertThat(qemu.isRunning()).isFalse();
    assertThat(killed).isLessThan(NodeSupervisor.KILL_BOUND);
    assertThat(replica.isRunning()).isFalse();
  }

  @Test
  void anAdoptedQemuIsHandedToFencing() throws Exception {
    QemuReplica replica = replica();
    assertThat(replica.isRunning()).isFalse();
    assertThat(replica.describe()).isEqualTo("QEMU not started");
    qemu = ProcessVm.sleeping();

    assertThat(replica.attach(qemu)).isTrue();

    assertThat(replica.isRunning()).isTrue();
    assertThat(replica.pid()).isEqualTo(qemu.pid());
    assertThat(replica.refuseLaunchesAndGetProcess())
        .hasValueSatisfying(p -> assertThat(p.pid()).isEqualTo(qemu.pid()));
  }

  @Test
  void seesQemuGoLiveInItsLog() throws Exception {
    QemuReplica replica = replica();
    qemu = ProcessVm.sleeping();
    replica.attach(qemu);
    Files.writeString(dir.resolve("qemu.log"), "booting\n" + QemuReplica.WENT_LIVE + " at 42\n");

    assertThat(replica.awaitWentLive(Duration.ofSeconds(1))).isTrue();
  }

  @Test
  void stopsWaitingForGoLiveAsSoonAsQemuIsDead() throws Exception {
    QemuReplica replica = replica();
    qemu = ProcessVm.sleeping();
    replica.attach(qemu);
    qemu.kill();
    qemu.awaitExit(Duration.ofSeconds(2));

    long start = System.nanoTime();
    assertThat(replica.awaitWentLive(Duration.ofSeconds(30))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    assertThat(replica.describe()).contains("exited with status");
  }

  @Test
  void anEarlierQemusWentLiveLineDoesNotCountForARejoinedNodesNewQemu() throws Exception {
    Path log = dir.resolve("qemu.log");
    Files.writeString(log, "qemu: starting\n" + QemuReplica.WENT_LIVE + "\n");
    QemuReplica replica = replica();
    qemu = ProcessVm.sleeping();
    assertThat(replica.attach(qemu)).isTrue();

    assertThat(replica.awaitWentLive(Duration.ofMillis(100))).isFalse();

    Files.writeString(
        log, QemuReplica.WENT_LIVE + " at icount 4711\n", java.nio.file.StandardOpenOption.APPEND);
    assertThat(replica.awaitWentLive(Duration.ofSeconds(2))).isTrue();
  }
}
