package io.ftvm.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ExternalCommandFencerIT {
  private static final Logger log = LoggerFactory.getLogger(ExternalCommandFencerIT.class);
  private static final FenceRequest REQUEST =
      new FenceRequest("web-1", 5, "host-a", "host-b", "peer won epoch 5");

  @TempDir Path work;
  private Optional<ProcessHandle> leftover = Optional.empty();

  @AfterEach
  void killLeftover() {
    leftover.ifPresent(ProcessHandle::destroyForcibly);
  }

  private static ExternalCommandFencer shell(String script, Duration timeout) {
    return new ExternalCommandFencer("stonith", List.of("sh", "-c", script), timeout);
  }

  @Test
  void successfulCommandSeesTheRequestInItsEnvironment() throws Exception {
    Path env = work.resolve("env");
    String script =
        "echo \"$FTVM_VM_ID $FTVM_EPOCH $FTVM_NODE_ID $FTVM_PEER $FTVM_REASON\" > "
            + env
            + "; echo powered off";

    FenceReport report = shell(script, Duration.ofSeconds(5)).fence(REQUEST);

    assertThat(report.succeeded()).isTrue();
    assertThat(report.steps().get(0).detail()).contains("exited 0").contains("powered off");
    assertThat(Files.readString(env).strip()).isEqualTo("web-1 5 host-a host-b peer won epoch 5");
  }

  @Test
  void nonZeroExitIsFailureWithStderrTail() {
    FenceReport report =
        shell("echo 'ipmitool: connection refused' >&2; exit 3", Duration.ofSeconds(5))
            .fence(REQUEST);

    assertThat(report.succeeded()).isFalse();
    assertThat(report.steps().get(0).detail())
        .isEqualTo("sh exited with status 3; stderr tail: ipmitool: connection refused");
  }

  @Test
  void hangingCommandIsKilledWithItsChildrenAfterTimeout() throws Exception {
    Path childPidFile = work.resolve("child.pid");
    String script = "echo waiting for BMC >&2; sleep 30 & echo $! > " + childPidFile + "; wait";
    long start = System.nanoTime();

    FenceReport report = shell(script, Duration.ofMillis(300)).fence(REQUEST);

    Duration took = Duration.ofNanos(System.nanoTime() - start);
    log.info("hanging hook reported after {} ms (timeout 300 ms)", took.toMillis());
    assertThat(report.succeeded()).isFalse();
    assertThat(report.boundMet()).isFalse();
    assertThat(report.steps().get(0).detail())
        .contains("did not finish within 300.0 ms and was killed")
        .contains("waiting for BMC");
    assertThat(took).isLessThan(Duration.ofSeconds(2));
    long childPid = Long.parseLong(Files.readString(childPidFile).strip());
    leftover = ProcessHandle.of(childPid);
    // Dead means gone or a zombie: who reaps the orphan (init, a subreaper) is not ours to decide.
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> ProcStat.read(childPid).map(ProcStat::hasExited).orElse(true));
  }

  @Test
  void missingCommandIsFailureNamingIt() {
    FenceReport report =
        new ExternalCommandFencer(
                "stonith", List.of("/nonexistent/fence-agent"), Duration.ofSeconds(1))
            .fence(REQUEST);

    assertThat(report.succeeded()).isFalse();
    assertThat(report.steps().get(0).detail())
        .startsWith("could not start [/nonexistent/fence-agent]");
  }
}
