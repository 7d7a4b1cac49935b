package io.ftvm.supervisor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetnsCommandTest {
  private final NetnsCommand runner = new NetnsCommand();

  @Test
  void capturesStdoutAndStderrSeparately() {
    CommandResult result =
        runner.run(List.of("sh", "-c", "echo out; echo err >&2; exit 3"), Duration.ofSeconds(10));
    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("err\n");
  }

  @Test
  void namesCommandExitStatusAndStderrOnFailure() {
    assertThatThrownBy(
            () ->
                runner.runChecked(
                    List.of("sh", "-c", "echo 'RTNETLINK answers: File exists' >&2; exit 2"),
                    Duration.ofSeconds(10)))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageEndingWith("failed (exit 2): RTNETLINK answers: File exists")
        .hasMessageStartingWith("sh -c echo");
  }

  @Test
  void killsACommandThatOverrunsItsTimeout() {
    long started = System.nanoTime();
    assertThatThrownBy(() -> runner.run(List.of("sleep", "30"), Duration.ofMillis(200)))
        .isInstanceOf(CommandFailedException.class)
        .hasMessage("sleep 30 timed out after 200 ms and was killed");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void doesNotWaitForABackgroundProcessThatKeepsOutputOpen() {
    CommandResult result =
        runner.run(List.of("sh", "-c", "sleep 30 & echo $!"), Duration.ofSeconds(10));
    long leftover = Long.parseLong(result.stdout().strip());
    ProcessHandle.of(leftover).ifPresent(ProcessHandle::destroyForcibly);
    assertThat(result.exitCode()).isZero();
  }

  @Test
  void reportsAMissingExecutable() {
    assertThatThrownBy(() -> runner.run(List.of("/nonexistent/ip"), Duration.ofSeconds(5)))
        .isInstanceOf(CommandFailedException.class)
        .hasMessageStartingWith("/nonexistent/ip could not be run:");
  }
}
