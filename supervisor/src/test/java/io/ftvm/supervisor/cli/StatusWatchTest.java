package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ftvm status --watch}: the table redrawn in place with fresh figures. */
class StatusWatchTest {
  @TempDir Path state;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void watchRedrawsTheTableWithEachRefreshsFigures() throws Exception {
    AtomicInteger epoch = new AtomicInteger(6);
    try (FakeControlServer node =
        FakeControlServer.at(
            state,
            () ->
                NodeStatus.builder()
                    .node("a")
                    .vmId("web")
                    .epoch(epoch.incrementAndGet())
                    .role(NodeRole.PRIMARY_ALONE)
                    .build())) {
      assertThat(run("status", "--state-dir", state.toString(), "--watch=50ms", "--watch-count=3"))
          .as(err.toString())
          .isZero();
    }
    String screen = out.toString();
    assertThat(screen.split(java.util.regex.Pattern.quote(StatusCommand.CLEAR_SCREEN), -1))
        .hasSize(4);
    assertThat(screen)
        .contains("every 50 ms")
        .containsPattern("epoch +7\n")
        .containsPattern("epoch +8\n")
        .containsPattern("epoch +9\n");
  }
}
