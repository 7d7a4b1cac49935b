package io.ftvm.supervisor.hypervisor;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Record/replay settings of one QEMU.
 *
 * @param rrfile the replay log QEMU writes (record) or reads (replay); a FIFO when streaming
 * @param follow replay keeps waiting for more log at end of file (patched QEMU only)
 * @param goLive replay may switch to live execution when told to (patched QEMU only)
 */
public record ReplaySpec(ReplayMode mode, Path rrfile, boolean follow, boolean goLive) {

  public ReplaySpec {
    Objects.requireNonNull(mode, "mode");
    if (!mode.hasLogAtStart()) {
      if (rrfile != null || follow || goLive) {
        throw new IllegalArgumentException(
            "replay mode " + mode + " takes no rrfile, follow or go-live");
      }
    } else {
      Objects.requireNonNull(rrfile, "rrfile is required for replay mode " + mode);
      if (mode == ReplayMode.RECORD && (follow || goLive)) {
        throw new IllegalArgumentException("follow and go-live apply to replay, not to record");
      }
    }
  }

  public static ReplaySpec none() {
    return new ReplaySpec(ReplayMode.NONE, null, false, false);
  }

  public static ReplaySpec record(Path rrfile) {
    return new ReplaySpec(ReplayMode.RECORD, rrfile, false, false);
  }

  public static ReplaySpec replay(Path rrfile, boolean follow, boolean goLive) {
    return new ReplaySpec(ReplayMode.REPLAY, rrfile, follow, goLive);
  }

  /** A VM without a log that may be cloned and start recording later. */
  public static ReplaySpec protectable() {
    return new ReplaySpec(ReplayMode.PROTECTABLE, null, false, false);
  }

  /** An incoming clone that follows a log once cloned. */
  public static ReplaySpec cloneTarget() {
    return new ReplaySpec(ReplayMode.CLONE_TARGET, null, false, false);
  }

  /** Icount, blkreplay and filter-replay are on: the VM is or can become deterministic. */
  public boolean isActive() {
    return mode != ReplayMode.NONE;
  }
}
