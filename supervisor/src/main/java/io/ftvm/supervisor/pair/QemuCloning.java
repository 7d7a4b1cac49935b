package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.hypervisor.CloneEndpoints;
import io.ftvm.supervisor.hypervisor.CloneException;
import io.ftvm.supervisor.hypervisor.CloneOutcome;
import io.ftvm.supervisor.hypervisor.QmpCloneSource;
import io.ftvm.supervisor.hypervisor.QmpCloneTarget;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link HypervisorCloning} with the patched QEMU (qemu-patches 0009): protectable VMs and clone
 * targets by their replay specs, the clone itself by {@link QmpCloneSource} / {@link
 * QmpCloneTarget} over the VM's QMP session.
 */
public final class QemuCloning implements HypervisorCloning {

  @Override
  public Optional<ReplaySpec> protectableSpec() {
    return Optional.of(ReplaySpec.protectable());
  }

  @Override
  public Optional<ReplaySpec> cloneTargetSpec() {
    return Optional.of(ReplaySpec.cloneTarget());
  }

  @Override
  public ReplicaCloner sourceOf(VmInstance vm) {
    return (target, fifo, progress) -> {
      QmpCloneSource source = new QmpCloneSource(vm.qmp());
      try {
        CloneOutcome outcome =
            source.cloneTo(
                new CloneEndpoints(
                    resolved(target.nbd()), target.nbdExportName(), resolved(target.migration())),
                fifo,
                p ->
                    progress.accept(
                        new ReprotectProgress(
                            p.phase(),
                            p.diskCopiedBytes(),
                            p.diskTotalBytes(),
                            p.ramTransferredBytes(),
                            p.ramRemainingBytes(),
                            p.bytesPerSecond(),
                            p.eta().isZero() ? null : p.eta())));
        return new ReplicaCloner.Outcome(
            outcome.pause(), outcome.diskBytes(), outcome.ramBytes(), outcome.total());
      } catch (CloneException e) {
        throw new IOException("clone failed: " + e.getMessage(), e);
      }
    };
  }

  @Override
  public CloneTargets.Target targetOf(VmInstance vm, InetAddress bind) {
    QmpCloneTarget target = new QmpCloneTarget(vm.qmp());
    return new CloneTargets.Target() {
      @Override
      public JoinOffer listen() throws IOException {
        try {
          CloneEndpoints endpoints = target.listen(bind);
          return new JoinOffer(endpoints.nbd(), endpoints.nbdExportName(), endpoints.migration());
        } catch (CloneException e) {
          throw new IOException("clone target cannot listen: " + e.getMessage(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }

      @Override
      public boolean awaitCloned(Duration timeout) throws IOException, InterruptedException {
        try {
          target.awaitCloned(timeout);
          return true;
        } catch (CloneException e) {
          // QmpCloneTarget says "not complete within" for a plain timeout: still copying.
          if (String.valueOf(e.getMessage()).contains("not complete within")) {
            return false;
          }
          throw new IOException(e.getMessage(), e);
        }
      }

      @Override
      public void startFollowing(Path replayFifo) throws IOException {
        try {
          target.startFollowing(replayFifo);
        } catch (CloneException e) {
          throw new IOException("cloned VM cannot follow the new log: " + e.getMessage(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
      }

      @Override
      public void kill() {
        // The node kills the QEMU process itself.
      }
    };
  }

  private static InetSocketAddress resolved(InetSocketAddress address) {
    return address.isUnresolved()
        ? new InetSocketAddress(address.getHostString(), address.getPort())
        : address;
  }
}
