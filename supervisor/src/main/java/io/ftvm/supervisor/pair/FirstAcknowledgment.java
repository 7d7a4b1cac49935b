package io.ftvm.supervisor.pair;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * The primary's "protected" starts with the backup's first acknowledgment, not with the channel or
 * QEMU: the backup acknowledges no log before the replicas' digests matched ({@link
 * ReplicaDigestGate}) and its QEMU replays it, so a backup with other disks, or one whose QEMU
 * never started, never makes the primary protected. Sees every ack; tells its listener once.
 */
final class FirstAcknowledgment implements LongConsumer {
  private final AtomicBoolean seen = new AtomicBoolean();
  private final LongConsumer first;

  /**
   * @param first told the position of the first ack beyond the start of the log, once
   */
  FirstAcknowledgment(LongConsumer first) {
    this.first = first;
  }

  @Override
  public void accept(long position) {
    // Position 0 is the session's own starting point (the backup's empty log), not a follow.
    if (position > 0 && seen.compareAndSet(false, true)) {
      first.accept(position);
    }
  }

  boolean seen() {
    return seen.get();
  }
}
