package io.ftvm.supervisor.pair;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The backup's side of the replica check at pair start: it acknowledges no log, so the primary
 * releases no output under this pairing, until the primary's replica digest (REPLICA_DIGEST, sent
 * first on every session) matched its own. A mismatch is reported once; acks stay withheld for
 * good.
 */
final class ReplicaDigestGate {
  private final long own;
  private final LongConsumer channelAck;
  private final Consumer<String> mismatch;
  private long pendingAck = -1;
  private boolean verified;
  private boolean refused;

  /**
   * @param own this replica's {@link ReplicaDigest#wireValue()}
   * @param channelAck sends an ack to the primary
   * @param mismatch told why, once, when the primary's digest differs
   */
  ReplicaDigestGate(long own, LongConsumer channelAck, Consumer<String> mismatch) {
    this.own = own;
    this.channelAck = channelAck;
    this.mismatch = mismatch;
  }

  /** An ack the feeder wants to send: sent if the replicas matched, else kept (the latest). */
  void ack(long position) {
    synchronized (this) {
      if (!verified) {
        pendingAck = Math.max(pendingAck, position);
        return;
      }
    }
    channelAck.accept(position);
  }

  /** The primary's digest arrived (again on every new session). */
  void peerDigest(long primary) {
    long release;
    boolean differ = primary != own;
    synchronized (this) {
      if (refused || (verified && primary == own)) {
        return;
      }
      if (differ) {
        refused = true;
        verified = false;
        release = -1;
      } else {
        verified = true;
        release = pendingAck;
      }
    }
    if (differ) {
      mismatch.accept(
          String.format(
              "replica disks differ from the primary's (digest prefix %016x here, %016x on the"
                  + " primary): refusing to pair; copy the primary's disks here again",
              own, primary));
    } else if (release >= 0) {
      channelAck.accept(release);
    }
  }

  synchronized boolean verified() {
    return verified;
  }
}
