package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Optional;

/**
 * What re-protection needs of the hypervisor: how to start a VM that can be cloned later, how to
 * start an empty clone target, and the clone source/target of a running QEMU. {@link #UNAVAILABLE}
 * until the hypervisor can clone: every re-protection attempt then fails loudly and the VM runs on
 * alone.
 */
public interface HypervisorCloning {

  /** The replay spec of a VM started alone that can be cloned later; empty: record instead. */
  Optional<ReplaySpec> protectableSpec();

  /** The replay spec of an empty incoming clone target; empty: cannot join. */
  Optional<ReplaySpec> cloneTargetSpec();

  /** The clone source of this node's running VM. */
  ReplicaCloner sourceOf(VmInstance vm);

  /** The clone target of a QEMU started with {@link #cloneTargetSpec()}. */
  CloneTargets.Target targetOf(VmInstance vm, InetAddress bind);

  HypervisorCloning UNAVAILABLE =
      new HypervisorCloning() {
        @Override
        public Optional<ReplaySpec> protectableSpec() {
          return Optional.empty();
        }

        @Override
        public Optional<ReplaySpec> cloneTargetSpec() {
          return Optional.empty();
        }

        @Override
        public ReplicaCloner sourceOf(VmInstance vm) {
          return ReplicaCloner.UNAVAILABLE;
        }

        @Override
        public CloneTargets.Target targetOf(VmInstance vm, InetAddress bind) {
          throw new UnsupportedOperationException("this QEMU cannot be a clone target");
        }
      };

  /** Why a join cannot even start with this hypervisor. */
  static IOException cannotJoin() {
    return new IOException(
        "this QEMU cannot be a clone target (needs the clone API of qemu-patches 0009)");
  }
}
