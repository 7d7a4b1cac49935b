package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.pair.TransitionFakes.FakeDrain;
import io.ftvm.supervisor.pair.TransitionFakes.FakeOutputs;
import io.ftvm.supervisor.pair.TransitionFakes.FakePeer;
import io.ftvm.supervisor.pair.TransitionFakes.FakePrimaryLog;
import io.ftvm.supervisor.pair.TransitionFakes.FakeReplica;
import io.ftvm.supervisor.pair.TransitionFakes.ScriptedArbiter;
import io.ftvm.supervisor.pair.TransitionFakes.Steps;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/** One node's transitions wired to fakes, as NodeSupervisor wires them to the real things. */
final class TransitionRig {
  static final Duration STORAGE_RETRY = Duration.ofMillis(20);

  final Steps steps = new Steps();
  final RoleStateMachine roles = new RoleStateMachine();
  final FakeReplica replica = new FakeReplica(steps);
  final FakeDrain drain = new FakeDrain(steps);
  final FakeOutputs outputs = new FakeOutputs(steps);
  final FakePeer peer = new FakePeer(steps);
  final FakePrimaryLog primaryLog = new FakePrimaryLog(steps);
  final ScriptedArbiter arbiter = new ScriptedArbiter(steps);
  final CountDownLatch halted = new CountDownLatch(1);
  final AtomicBoolean stopRequested = new AtomicBoolean();

  /** Every reason the node showed, in order (what {@code ftvm status} would have shown). */
  final List<String> reasons = new CopyOnWriteArrayList<>();

  final NodeHalt halt;
  final GuardedClaim claim;

  TransitionRig() {
    roles.onChange((from, to) -> reasons.add(to + ": " + roles.reason()));
    halt =
        new NodeHalt(
            TransitionFakes.IDS,
            roles,
            outputs,
            replica,
            peer,
            Optional.empty(),
            NodeSupervisor.KILL_BOUND,
            halted::countDown);
    claim =
        new GuardedClaim(
            new GoLiveClaimant(arbiter, "vm1", 3, "b", STORAGE_RETRY),
            roles,
            replica,
            stopRequested::get,
            System::nanoTime);
  }

  TransitionRig asBackup() {
    roles.transition(NodeRole.BACKUP_REPLAYING, "replaying");
    return this;
  }

  TransitionRig asAlone() {
    roles.transition(NodeRole.PRIMARY_ALONE, "alone");
    return this;
  }

  /** The claim as it is made for another epoch (a new pairing's). */
  GuardedClaim claimFor(long epoch) {
    return new GuardedClaim(
        new GoLiveClaimant(arbiter, "vm1", epoch, "b", STORAGE_RETRY),
        roles,
        replica,
        stopRequested::get,
        System::nanoTime);
  }

  final TransitionFakes.FakeCloner cloner = new TransitionFakes.FakeCloner(steps);
  final List<TransitionFakes.FakePairingStream> streams = new CopyOnWriteArrayList<>();

  /** What the next opened stream is like (set before the attempt starts). */
  volatile java.util.function.Consumer<TransitionFakes.FakePairingStream> streamSetup = s -> {};

  final List<Long> adoptedEpochs = new CopyOnWriteArrayList<>();

  Reprotection reprotection(Reprotection.Timeouts timeouts) {
    PairingStreams opener =
        (pairing, offer) -> {
          steps.add("open stream epoch " + pairing.epoch());
          TransitionFakes.FakePairingStream stream =
              new TransitionFakes.FakePairingStream(steps, pairing.epoch());
          streamSetup.accept(stream);
          cloner.stream = stream;
          streams.add(stream);
          return stream;
        };
    PrimaryEpochs epochs =
        new PrimaryEpochs() {
          @Override
          public PrimaryContinueAlone continueAloneFor(PairingStream stream) {
            return new PrimaryContinueAlone(
                roles,
                claimFor(stream.epoch()),
                stream,
                outputs,
                halt,
                Duration.ofSeconds(30),
                System::nanoTime);
          }

          @Override
          public void adopt(PairingStream stream, ReplicaCloner.Outcome clone) {
            steps.add("adopt epoch " + stream.epoch());
            adoptedEpochs.add(stream.epoch());
          }
        };
    return new Reprotection(
        roles,
        outputs,
        cloner,
        opener,
        epochs,
        new ReprotectBackoff(Duration.ofSeconds(2), Duration.ofSeconds(60)),
        timeouts,
        System::nanoTime);
  }

  TransitionRig asPrimary() {
    roles.transition(NodeRole.PRIMARY_PROTECTED, "recording");
    return this;
  }

  BackupGoLive backupGoLive(Duration deadline) {
    return new BackupGoLive(
        roles,
        drain,
        replica,
        claim,
        outputs,
        () -> steps.add("announce"),
        halt,
        deadline,
        Duration.ofMillis(300),
        System::nanoTime);
  }

  void goLive(Duration deadline) {
    backupGoLive(deadline).run("primary lost: no frame for 500 ms", OptionalLong.empty());
  }

  PrimaryContinueAlone continueAlone() {
    return new PrimaryContinueAlone(
        roles, claim, primaryLog, outputs, halt, Duration.ofSeconds(30), System::nanoTime);
  }

  PlannedHandoff handoff() {
    return new PlannedHandoff(
        TransitionFakes.IDS,
        roles,
        replica,
        primaryLog,
        peer,
        halt,
        new PlannedHandoff.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)));
  }
}
