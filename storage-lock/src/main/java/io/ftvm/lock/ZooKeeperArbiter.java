package io.ftvm.lock;

import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Go-live arbiter on a ZooKeeper ensemble: one persistent znode {@code
 * <root>/<vmId>/golive/<epoch>} per won epoch, holding the winner's record ({@link
 * GoLiveRecordCodec}).
 *
 * <p>The test-and-set is the znode's create: ZooKeeper orders every write through its leader and
 * commits it on a majority, so exactly one create of a path succeeds, on the whole ensemble, and
 * only while a majority is reachable. Data is written atomically with the create, so no record is
 * ever half-written. When the create finds the node existing (another claimant won, or our own
 * create succeeded before a connection loss hid the reply and Curator retried), the record decides:
 * {@code WON} only if it names this node. Every other failure (connection loss, session expiry, no
 * quorum, timeout) throws {@link StorageUnavailableException}: never a guessed "won".
 */
public final class ZooKeeperArbiter implements GoLiveArbiter {
  static final String GOLIVE = "golive";
  private static final Pattern EPOCH_NAME = Pattern.compile("\\d{1,18}");
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperArbiter.class);

  private final ZooKeeperConnection zk;
  private final boolean ownsConnection;

  /** Uses (and closes with this arbiter) its own connection. */
  public ZooKeeperArbiter(ZooKeeperConnection zk) {
    this(zk, true);
  }

  /**
   * @param ownsConnection whether {@link #close()} closes {@code zk}; false when the connection is
   *     shared with a {@link ZooKeeperPairingLedger}
   */
  public ZooKeeperArbiter(ZooKeeperConnection zk, boolean ownsConnection) {
    this.zk = zk;
    this.ownsConnection = ownsConnection;
  }

  @Override
  public GoLiveDecision tryGoLive(GoLiveClaim claim) throws StorageUnavailableException {
    String path = zk.path(claim.vmId(), GOLIVE, String.valueOf(claim.epoch()));
    byte[] record = GoLiveRecordCodec.encode(claim);
    GoLiveDecision decision =
        zk.run(
            "claim " + claim.vmId() + " epoch " + claim.epoch(),
            client -> {
              try {
                client
                    .create()
                    .creatingParentsIfNeeded()
                    .withMode(CreateMode.PERSISTENT)
                    .forPath(path, record);
                return GoLiveDecision.decide(claim, GoLiveRecord.of(claim));
              } catch (KeeperException.NodeExistsException taken) {
                // Also the answer to our own retried create: the record says whose it is.
                GoLiveRecord existing =
                    read(client, path, claim.vmId(), claim.epoch())
                        .orElseThrow(
                            () ->
                                new StorageUnavailableException(
                                    "go-live znode "
                                        + path
                                        + " existed at create but vanished when read: someone is"
                                        + " deleting go-live records"));
                return GoLiveDecision.decide(claim, existing);
              }
            });
    if (decision.won()) {
      log.info(
          "go-live for {} epoch {} WON by {} on {}",
          claim.vmId(),
          claim.epoch(),
          claim.nodeId(),
          zk.describe());
    } else {
      log.warn(
          "go-live claim of {} for {} epoch {} LOST: {}",
          claim.nodeId(),
          claim.vmId(),
          claim.epoch(),
          decision.winner().summary());
    }
    return decision;
  }

  @Override
  public Optional<GoLiveRecord> winner(String vmId, long epoch) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0 but was " + epoch);
    }
    String path = zk.path(vmId, GOLIVE, String.valueOf(epoch));
    return zk.run(
        "read winner of " + vmId + " epoch " + epoch,
        client -> {
          ZooKeeperConnection.syncThenWait(client, path);
          return read(client, path, vmId, epoch);
        });
  }

  @Override
  public long highestEpoch(String vmId) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    String path = zk.path(vmId, GOLIVE);
    return zk.run(
        "find highest epoch of " + vmId,
        client -> highestNumbered(ZooKeeperConnection.syncedChildren(client, path)));
  }

  @Override
  public void checkReachable() throws StorageUnavailableException {
    zk.checkReachable();
  }

  @Override
  public String describe() {
    return zk.describe();
  }

  @Override
  public void close() {
    if (ownsConnection) {
      zk.close();
    }
  }

  /** Highest decimal child name, {@link #NO_EPOCH} if none; other names are ignored. */
  static long highestNumbered(Iterable<String> children) {
    long highest = NO_EPOCH;
    for (String child : children) {
      if (EPOCH_NAME.matcher(child).matches()) {
        highest = Math.max(highest, Long.parseLong(child));
      } else {
        log.debug("ignoring unexpected znode {} in go-live records", child);
      }
    }
    return highest;
  }

  private static Optional<GoLiveRecord> read(
      CuratorFramework client, String path, String vmId, long epoch) throws Exception {
    byte[] content;
    try {
      content = client.getData().forPath(path);
    } catch (KeeperException.NoNodeException none) {
      return Optional.empty();
    }
    GoLiveRecord record =
        GoLiveRecordCodec.decode(content == null ? new byte[0] : content, vmId, epoch);
    record
        .corruption()
        .ifPresent(
            why -> log.warn("go-live record {} is corrupt ({}); counting it as won", path, why));
    return Optional.of(record);
  }
}
