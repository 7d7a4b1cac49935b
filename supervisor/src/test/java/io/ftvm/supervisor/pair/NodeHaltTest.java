package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.channel.ControlMessage;
import io.ftvm.channel.ControlType;
import io.ftvm.fencing.FenceReport;
import io.ftvm.fencing.FenceStep;
import io.ftvm.fencing.ProcessIdentity;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeHaltTest {
  private final TransitionRig rig = new TransitionRig().asBackup();
  private ProcessVm qemu;

  @AfterEach
  void killStandIn() {
    if (qemu != null) {
      qemu.kill();
    }
  }

  /** Issue 7 bug 5: gates closed first, then the QEMU dead within the kill bound (measured). */
  @Test
  void closesTheGatesWhileQemuStillRunsThenKillsItWithinTheBound() throws Exception {
    qemu = ProcessVm.sleeping();
    rig.replica.process = Optional.of(ProcessIdentity.of(qemu.pid()));
    CopyOnWriteArrayList<Boolean> qemuAliveWhenGateClosed = new CopyOnWriteArrayList<>();
    rig.outputs.network.onClose = () -> qemuAliveWhenGateClosed.add(qemu.isRunning());
    rig.outputs.console.onClose = () -> qemuAliveWhenGateClosed.add(qemu.isRunning());

    long start = System.nanoTime();
    FenceReport report = rig.halt.halt("lost go-live to a").orElseThrow();
    Duration fenced = Duration.ofNanos(System.nanoTime() - start);

    assertThat(qemuAliveWhenGateClosed).containsExactly(true, true);
    // The kill step saw the process dead (a zombie counts); the JDK's reaper notices a moment
    // later.
    await("stand-in QEMU reaped").atMost(NodeSupervisor.KILL_BOUND).until(() -> !qemu.isRunning());
    assertThat(report.succeeded()).as(report.summary()).isTrue();
    FenceStep kill = report.steps().get(report.steps().size() - 1);
    assertThat(kill.fencer()).isEqualTo("kill-pid-" + qemu.pid());
    assertThat(kill.duration()).isLessThan(NodeSupervisor.KILL_BOUND);
    assertThat(fenced).isLessThan(NodeSupervisor.KILL_BOUND);
    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.steps.done).containsSubsequence("close network", "close console", "disconnect");
    assertThat(rig.halted.getCount()).isZero();
    System.out.printf(
        "fenced in %d us (kill step %d us)%n",
        fenced.toNanos() / 1000, kill.duration().toNanos() / 1000);
  }

  @Test
  void aReplicaFailureGoesSilentFirstThenTellsThePeerWhereItsLogEndsThenHalts() {
    rig.halt.haltTellingPeer("own QEMU exited unexpectedly with status 137", 4242);

    assertThat(rig.steps.done)
        .containsSubsequence("close network", "send PEER_FAILED 4242", "disconnect");
    assertThat(rig.steps.done.indexOf("close console"))
        .isLessThan(rig.steps.done.indexOf("send PEER_FAILED 4242"));
    assertThat(rig.peer.sent).containsExactly(new ControlMessage(ControlType.PEER_FAILED, 4242));
    assertThat(rig.roles.role()).isEqualTo(NodeRole.HALTED);
    assertThat(rig.roles.reason()).contains("status 137").contains("told a");
  }

  @Test
  void haltingTwiceFencesOnce() {
    rig.halt.halt("first");
    rig.steps.done.clear();

    assertThat(rig.halt.halt("second")).isEmpty();
    rig.halt.haltTellingPeer("third", 1);

    assertThat(rig.steps.done).isEmpty();
    assertThat(rig.roles.reason()).isEqualTo("first");
  }
}
