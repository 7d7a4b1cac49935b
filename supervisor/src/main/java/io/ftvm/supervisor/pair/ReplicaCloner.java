package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Clones this node's running VM to a joining node's empty clone target (the hypervisor's clone
 * source, behind a pair-level boundary): disk and RAM copied while the VM runs, a short pause, then
 * the VM records a NEW replay log (fresh header, icount continuing) into {@code newRecordingFifo}
 * and runs on. On failure the VM keeps running as before and the call throws.
 */
interface ReplicaCloner {

  /** What the clone cost: the guest's pause at the switch, bytes moved, wall time. */
  record Outcome(Duration pause, long diskBytes, long ramBytes, Duration total) {}

  Outcome cloneTo(JoinOffer target, Path newRecordingFifo, Consumer<ReprotectProgress> progress)
      throws IOException, InterruptedException;

  /** Until the hypervisor can clone: every attempt fails, loudly, and the VM runs on alone. */
  ReplicaCloner UNAVAILABLE =
      (target, fifo, progress) -> {
        throw new IOException(
            "this QEMU cannot clone a running VM (needs the clone API of qemu-patches 0009)");
      };
}
