package io.ftvm.faults;

import io.ftvm.supervisor.arbiter.ClaimantProcess;
import io.ftvm.supervisor.arbiter.ZooKeeperCluster;
import io.ftvm.supervisor.pair.ArbiterAttachment;
import io.ftvm.supervisor.pair.ArbiterSpec;
import io.ftvm.supervisor.pair.ZooKeeperSwitchAttachment;
import io.ftvm.supervisor.topology.HostRole;
import io.ftvm.supervisor.topology.PairTopology;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The 3-member ZooKeeper ensemble of a campaign run with {@code --arbiter zookeeper}: started once
 * for the campaign, every round's pair attached to it, and a reader process on its network that the
 * round monitor asks for go-live records (this JVM is not on that network).
 */
final class CampaignZooKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CampaignZooKeeper.class);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

  private final ZooKeeperCluster cluster;
  private final ClaimantProcess reader;

  private CampaignZooKeeper(ZooKeeperCluster cluster, ClaimantProcess reader) {
    this.cluster = cluster;
    this.reader = reader;
  }

  static CampaignZooKeeper start(Path workDirectory) throws IOException {
    ZooKeeperCluster cluster = ZooKeeperCluster.start(workDirectory.resolve("zookeeper"), 3);
    try {
      ClaimantProcess reader =
          ClaimantProcess.start(
              cluster.addClient("reader"),
              "zk",
              cluster.connectString(),
              "campaign-reader",
              Duration.ofSeconds(2),
              workDirectory.resolve("zookeeper").resolve("reader.log"));
      return new CampaignZooKeeper(cluster, reader);
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  ArbiterAttachment attachment() {
    return new ZooKeeperSwitchAttachment(
        ArbiterSpec.zooKeeper(cluster.connectString()), cluster.switchNamespace(), "br0");
  }

  ZooKeeperCluster cluster() {
    return cluster;
  }

  GoLiveRecordSource recordSource(String vmId) {
    return () -> {
      Map<String, String> records = new LinkedHashMap<>();
      reader
          .records(vmId, READ_TIMEOUT)
          .orElseThrow(() -> new IOException("ZooKeeper unavailable"))
          .forEach(
              (epoch, winner) ->
                  records.put("epoch-" + epoch + ".golive", winner.equals("?") ? null : winner));
      return records;
    };
  }

  /** The switch ports of a pair's hosts, to cut them off the ensemble. */
  static List<String> hostPorts(PairTopology topology) {
    return List.of(
        ZooKeeperSwitchAttachment.switchPort(topology, HostRole.A),
        ZooKeeperSwitchAttachment.switchPort(topology, HostRole.B));
  }

  /** Kills the ensemble's leader; returns its member number. */
  int killLeader() throws IOException {
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    cluster.kill(leader);
    return leader;
  }

  /** Restarts every killed member and waits for a leader (between rounds). */
  void heal() throws IOException {
    for (int member = 1; member <= cluster.size(); member++) {
      if (!cluster.isRunning(member)) {
        cluster.restart(member);
        log.info("restarted ZooKeeper member {}", member);
      }
    }
    cluster.awaitLeader(Duration.ofSeconds(60));
  }

  @Override
  public void close() {
    reader.close();
    cluster.close();
  }
}
