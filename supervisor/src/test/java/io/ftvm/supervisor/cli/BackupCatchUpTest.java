package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BackupCatchUpTest {
  private final StringWriter out = new StringWriter();

  @Test
  void saysCatchingUpUntilTheBackupIsWithinTheBound() throws Exception {
    Optional<String> result =
        catchUp(List.of(backup(5200), backup(2100), backup(250))).await(Duration.ofSeconds(10));

    assertThat(result).isEmpty();
    assertThat(out.toString())
        .contains("catching up (lag 5200 ms, protected below 300 ms)")
        .contains("catching up (lag 2100 ms")
        .doesNotContain("lag 250 ms");
  }

  @Test
  void aBackupAlreadyWithinTheBoundIsProtectedAtOnce() throws Exception {
    assertThat(catchUp(List.of(backup(0))).await(Duration.ofSeconds(10))).isEmpty();
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aPairThatLeavesProtectionMeanwhileIsNotProtected() throws Exception {
    NodeStatus halted = NodeStatus.builder().node("b").role(NodeRole.HALTED).reason("x").build();

    Optional<String> result = catchUp(List.of(backup(4000), halted)).await(Duration.ofSeconds(10));

    assertThat(result).hasValueSatisfying(r -> assertThat(r).contains("backup HALTED"));
  }

  @Test
  void aStalledReplayIsNotProtected() throws Exception {
    NodeStatus stalled =
        NodeStatus.builder()
            .node("b")
            .role(NodeRole.BACKUP_REPLAYING)
            .replayLagMillis(9000)
            .replayStalled(true)
            .build();

    assertThat(catchUp(List.of(stalled)).await(Duration.ofSeconds(10)))
        .hasValueSatisfying(r -> assertThat(r).contains("stalled"));
  }

  @Test
  void givesUpAfterTheTimeout() throws Exception {
    assertThat(catchUp(List.of(backup(5000))).await(Duration.ofMillis(50)))
        .hasValueSatisfying(r -> assertThat(r).contains("backup 5000 ms behind"));
  }

  private BackupCatchUp catchUp(List<NodeStatus> backupSeries) {
    ArrayDeque<NodeStatus> series = new ArrayDeque<>(backupSeries);
    NodeStatus primary = NodeStatus.builder().node("a").role(NodeRole.PRIMARY_PROTECTED).build();
    BackupCatchUp.Nodes nodes =
        new BackupCatchUp.Nodes() {
          @Override
          public NodeStatus primary() {
            return primary;
          }

          @Override
          public NodeStatus backup() {
            return series.size() > 1 ? series.removeFirst() : series.peekFirst();
          }
        };
    return new BackupCatchUp(nodes, 300, new PrintWriter(out), Duration.ofMillis(1), Duration.ZERO);
  }

  private static NodeStatus backup(long lagMillis) {
    return NodeStatus.builder()
        .node("b")
        .role(NodeRole.BACKUP_REPLAYING)
        .replayLagMillis(lagMillis)
        .build();
  }
}
