package io.ftvm.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PairingLedger} on the same ZooKeeper ensemble as {@link ZooKeeperArbiter}: one persistent
 * znode {@code <root>/<vmId>/pairing/<epoch>} per reservation, next to {@code
 * <root>/<vmId>/golive/<epoch>}. The create is the atomic, exclusive step; the next epoch is above
 * every go-live and pairing znode, so a number is never handed out twice. A create that finds the
 * znode holding exactly our record is our own create retried after a lost reply.
 */
public final class ZooKeeperPairingLedger implements PairingLedger, AutoCloseable {
  static final String PAIRING = "pairing";
  private static final int MAX_RESERVE_ATTEMPTS = 64;
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperPairingLedger.class);

  private final ZooKeeperConnection zk;
  private final boolean ownsConnection;

  public ZooKeeperPairingLedger(ZooKeeperConnection zk, boolean ownsConnection) {
    this.zk = zk;
    this.ownsConnection = ownsConnection;
  }

  @Override
  public PairingRecord reserveNext(String vmId, String joinerNodeId, String offer, long atLeast)
      throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    VmIds.requireValidNodeId(joinerNodeId);
    PairingRecord reserved =
        zk.run(
            "reserve a pairing epoch of " + vmId,
            client -> {
              for (int attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
                long epoch = Math.max(highest(client, vmId) + 1, atLeast);
                PairingRecord record =
                    new PairingRecord(vmId, epoch, joinerNodeId, offer, Instant.now());
                String path = zk.path(vmId, PAIRING, String.valueOf(epoch));
                byte[] content =
                    SharedDirectoryPairingLedger.encode(record).getBytes(StandardCharsets.UTF_8);
                try {
                  client
                      .create()
                      .creatingParentsIfNeeded()
                      .withMode(CreateMode.PERSISTENT)
                      .forPath(path, content);
                  return record;
                } catch (KeeperException.NodeExistsException taken) {
                  byte[] existing = client.getData().forPath(path);
                  if (java.util.Arrays.equals(existing, content)) {
                    return record; // our own create, retried after a lost reply
                  }
                  log.debug("pairing epoch {} of {} taken meanwhile; trying the next", epoch, vmId);
                }
              }
              throw new StorageUnavailableException(
                  "could not reserve a pairing epoch of "
                      + vmId
                      + " in "
                      + MAX_RESERVE_ATTEMPTS
                      + " attempts: something keeps taking them");
            });
    log.info(
        "reserved pairing epoch {} of {} for joining node {} on {}",
        reserved.epoch(),
        vmId,
        joinerNodeId,
        zk.describe());
    return reserved;
  }

  @Override
  public Optional<PairingRecord> latest(String vmId) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    return zk.run(
        "read the latest pairing of " + vmId,
        client -> {
          long highest =
              ZooKeeperArbiter.highestNumbered(
                  ZooKeeperConnection.syncedChildren(client, zk.path(vmId, PAIRING)));
          if (highest < 0) {
            return Optional.empty();
          }
          String path = zk.path(vmId, PAIRING, String.valueOf(highest));
          byte[] content = client.getData().forPath(path);
          try {
            return Optional.of(
                SharedDirectoryPairingLedger.decode(
                    new String(content, StandardCharsets.UTF_8), vmId, highest));
          } catch (IOException corrupt) {
            throw new StorageUnavailableException(
                "pairing record " + path + " is unreadable: " + corrupt.getMessage(), corrupt);
          }
        });
  }

  @Override
  public long highestEpoch(String vmId) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    return zk.run("find the highest epoch of " + vmId, client -> highest(client, vmId));
  }

  @Override
  public void close() {
    if (ownsConnection) {
      zk.close();
    }
  }

  private long highest(org.apache.curator.framework.CuratorFramework client, String vmId)
      throws Exception {
    long golive =
        ZooKeeperArbiter.highestNumbered(
            ZooKeeperConnection.syncedChildren(client, zk.path(vmId, ZooKeeperArbiter.GOLIVE)));
    long pairing =
        ZooKeeperArbiter.highestNumbered(
            ZooKeeperConnection.syncedChildren(client, zk.path(vmId, PAIRING)));
    return Math.max(golive, pairing);
  }
}
