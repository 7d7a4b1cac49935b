package io.ftvm.supervisor.pair;

/**
 * What {@code ftvm status} shows for one node. Positions are byte offsets in the replay log; -1
 * means "not applicable to this role". On a backup, {@code logReplayed} is what its QEMU has read
 * from the pipe (up to QEMU's stdio read-ahead of a few KiB), {@code logAcked} what it
 * acknowledged, {@code replayLagMillis} the age of the oldest received byte QEMU has not consumed,
 * and {@code replayStalled} whether the replay watchdog found QEMU stuck. {@code peer} is the other
 * node of the current pairing (after a re-protection maybe a spare; "" while a joiner has none).
 */
public record NodeStatus(
    String node,
    String vmId,
    long epoch,
    NodeRole role,
    String reason,
    long uptimeMillis,
    long qemuPid,
    long logProduced,
    long logSent,
    long logAcked,
    long logReceived,
    long logReplayed,
    long replayBacklogBytes,
    double logBytesPerSecond,
    long ackRttP50Micros,
    long ackRttP99Micros,
    long outputHoldP50Micros,
    long outputHoldP99Micros,
    int heldFrames,
    long heldBytes,
    boolean throttled,
    long throttledMillis,
    long peerLostToLiveMillis,
    long maxHeartbeatGapMillis,
    long heartbeatGapP999Millis,
    long maxLocalStallMillis,
    long replayLagMillis,
    boolean replayStalled,
    ReprotectStatus reprotect,
    GuestView guest,
    String peer) {

  public static Builder builder() {
    return new Builder();
  }

  /** Bytes the backup has not acknowledged yet (primary's view). */
  public long unackedBytes() {
    return logProduced >= 0 && logAcked >= 0 ? Math.max(0, logProduced - logAcked) : -1;
  }

  public static final class Builder {
    private String node = "";
    private String vmId = "";
    private long epoch;
    private NodeRole role = NodeRole.STARTING;
    private String reason = "";
    private long uptimeMillis;
    private long qemuPid = -1;
    private long logProduced = -1;
    private long logSent = -1;
    private long logAcked = -1;
    private long logReceived = -1;
    private long logReplayed = -1;
    private long replayBacklogBytes = -1;
    private double logBytesPerSecond;
    private long ackRttP50Micros = -1;
    private long ackRttP99Micros = -1;
    private long outputHoldP50Micros = -1;
    private long outputHoldP99Micros = -1;
    private int heldFrames;
    private long heldBytes;
    private boolean throttled;
    private long throttledMillis = -1;
    private long peerLostToLiveMillis = -1;
    private long maxHeartbeatGapMillis = -1;
    private long heartbeatGapP999Millis = -1;
    private long maxLocalStallMillis = -1;
    private long replayLagMillis = -1;
    private boolean replayStalled;
    private ReprotectStatus reprotect;
    private GuestView guest = GuestView.unknown();
    private String peer = "";

    /** The other node of this node's current pairing. */
    public Builder peer(String v) {
      peer = v == null ? "" : v;
      return this;
    }

    /** Whether the guest is up and its address (not the pair's state). */
    public Builder guest(GuestView v) {
      guest = v;
      return this;
    }

    public Builder reprotect(ReprotectStatus v) {
      reprotect = v;
      return this;
    }

    public Builder node(String v) {
      node = v;
      return this;
    }

    public Builder vmId(String v) {
      vmId = v;
      return this;
    }

    public Builder epoch(long v) {
      epoch = v;
      return this;
    }

    public Builder role(NodeRole v) {
      role = v;
      return this;
    }

    public Builder reason(String v) {
      reason = v;
      return this;
    }

    public Builder uptimeMillis(long v) {
      uptimeMillis = v;
      return this;
    }

    public Builder qemuPid(long v) {
      qemuPid = v;
      return this;
    }

    public Builder logProduced(long v) {
      logProduced = v;
      return this;
    }

    public Builder logSent(long v) {
      logSent = v;
      return this;
    }

    public Builder logAcked(long v) {
      logAcked = v;
      return this;
    }

    public Builder logReceived(long v) {
      logReceived = v;
      return this;
    }

    public Builder logReplayed(long v) {
      logReplayed = v;
      return this;
    }

    public Builder replayBacklogBytes(long v) {
      replayBacklogBytes = v;
      return this;
    }

    public Builder logBytesPerSecond(double v) {
      logBytesPerSecond = v;
      return this;
    }

    public Builder ackRttP50Micros(long v) {
      ackRttP50Micros = v;
      return this;
    }

    public Builder ackRttP99Micros(long v) {
      ackRttP99Micros = v;
      return this;
    }

    public Builder outputHoldP50Micros(long v) {
      outputHoldP50Micros = v;
      return this;
    }

    public Builder outputHoldP99Micros(long v) {
      outputHoldP99Micros = v;
      return this;
    }

    public Builder heldFrames(int v) {
      heldFrames = v;
      return this;
    }

    public Builder heldBytes(long v) {
      heldBytes = v;
      return this;
    }

    public Builder throttled(boolean v) {
      throttled = v;
      return this;
    }

    public Builder peerLostToLiveMillis(long v) {
      peerLostToLiveMillis = v;
      return this;
    }

    /** Longest gap between the peer's heartbeats arriving here, since start (-1: none yet). */
    public Builder maxHeartbeatGapMillis(long v) {
      maxHeartbeatGapMillis = v;
      return this;
    }

    public Builder heartbeatGapP999Millis(long v) {
      heartbeatGapP999Millis = v;
      return this;
    }

    /** How late this node's failure detector or channel event loop ran at worst. */
    public Builder maxLocalStallMillis(long v) {
      maxLocalStallMillis = v;
      return this;
    }

    public Builder replayLagMillis(long v) {
      replayLagMillis = v;
      return this;
    }

    public Builder replayStalled(boolean v) {
      replayStalled = v;
      return this;
    }

    /** Cumulative time the primary's log producer waited for the backup (flow control). */
    public Builder throttledMillis(long v) {
      throttledMillis = v;
      return this;
    }

    public NodeStatus build() {
      return new NodeStatus(
          node,
          vmId,
          epoch,
          role,
          reason,
          uptimeMillis,
          qemuPid,
          logProduced,
          logSent,
          logAcked,
          logReceived,
          logReplayed,
          replayBacklogBytes,
          logBytesPerSecond,
          ackRttP50Micros,
          ackRttP99Micros,
          outputHoldP50Micros,
          outputHoldP99Micros,
          heldFrames,
          heldBytes,
          throttled,
          throttledMillis,
          peerLostToLiveMillis,
          maxHeartbeatGapMillis,
          heartbeatGapP999Millis,
          maxLocalStallMillis,
          replayLagMillis,
          replayStalled,
          reprotect,
          guest,
          peer);
    }
  }
}
