package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;

/**
 * Waits, after a pair came up, until its backup replays within the lag bound: only then is the pair
 * protected in the sense that a failover costs at most about the bound in replay. Until then it
 * tells the admin how far behind the backup is.
 */
final class BackupCatchUp {
  /** The two nodes' live status. */
  interface Nodes {
    NodeStatus primary() throws IOException;

    NodeStatus backup() throws IOException;
  }

  private final Nodes nodes;
  private final long boundMillis;
  private final PrintWriter out;
  private final Duration pollInterval;
  private final Duration reportInterval;

  BackupCatchUp(
      Nodes nodes,
      long boundMillis,
      PrintWriter out,
      Duration pollInterval,
      Duration reportInterval) {
    this.nodes = nodes;
    this.boundMillis = boundMillis;
    this.out = out;
    this.pollInterval = pollInterval;
    this.reportInterval = reportInterval;
  }

  /**
   * @return empty once the backup is within the bound; otherwise why the pair is not protected
   */
  Optional<String> await(Duration timeout) throws InterruptedException {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    long nextReport = started;
    long lastLag = -1;
    String lastProblem = "no status yet";
    while (System.nanoTime() < deadline) {
      try {
        NodeStatus primary = nodes.primary();
        NodeStatus backup = nodes.backup();
        if (primary.role() != NodeRole.PRIMARY_PROTECTED
            || backup.role() != NodeRole.BACKUP_REPLAYING) {
          return Optional.of(
              "the pair left protection while the backup caught up: primary "
                  + primary.role()
                  + " ("
                  + primary.reason()
                  + "), backup "
                  + backup.role()
                  + " ("
                  + backup.reason()
                  + ")");
        }
        if (backup.replayStalled()) {
          return Optional.of("the backup's replay stalled: " + backup.reason());
        }
        lastLag = backup.replayLagMillis();
        if (lastLag >= 0 && lastLag <= boundMillis) {
          return Optional.empty();
        }
        lastProblem = "backup " + lastLag + " ms behind";
      } catch (IOException e) {
        lastProblem = e.getMessage();
      }
      if (System.nanoTime() >= nextReport) {
        out.printf(
            "catching up (lag %s, protected below %d ms)%n",
            lastLag >= 0 ? lastLag + " ms" : "unknown: " + lastProblem, boundMillis);
        out.flush();
        nextReport = System.nanoTime() + reportInterval.toNanos();
      }
      Thread.sleep(pollInterval.toMillis());
    }
    return Optional.of(
        "the backup did not get within " + boundMillis + " ms in " + timeout + ": " + lastProblem);
  }
}
