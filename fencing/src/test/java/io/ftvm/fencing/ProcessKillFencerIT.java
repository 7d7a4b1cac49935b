package io.ftvm.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class ProcessKillFencerIT {
  private static final Logger log = LoggerFactory.getLogger(ProcessKillFencerIT.class);
  private static final FenceRequest REQUEST =
      new FenceRequest("web-1", 2, "host-a", "host-b", "lost go-live");

  private final List<ProcessHandle> started = new ArrayList<>();

  @AfterEach
  void killEverythingWeStarted() {
    for (ProcessHandle process : started) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private Process start(String... command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    started.add(process.toHandle());
    return process;
  }

  @Test
  void realChildProcessIsDeadWellWithinBound() throws Exception {
    Process sleeper = start("sleep", "60");
    ProcessIdentity identity = ProcessIdentity.of(sleeper.toHandle());

    FenceReport report = new ProcessKillFencer(identity).fence(REQUEST);

    log.info("kill of a real 'sleep 60': {}", report.summary());
    assertThat(report.succeeded()).isTrue();
    assertThat(report.boundMet()).isTrue();
    assertThat(report.total()).isLessThan(ProcessKillFencer.DEFAULT_BOUND);
    assertExitedNow(sleeper);
    assertThat(report.steps().get(0).detail()).contains("SIGKILL sent to pid " + sleeper.pid());
  }

  @Test
  void timeToDeathOverManyRealProcessesStaysFarBelowBound() throws Exception {
    List<Duration> times = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      Process sleeper = start("sleep", "60");
      FenceReport report =
          new ProcessKillFencer(ProcessIdentity.of(sleeper.toHandle())).fence(REQUEST);
      assertThat(report.succeeded()).as(report.summary()).isTrue();
      times.add(report.total());
    }
    times.sort(Duration::compareTo);
    log.info(
        "SIGKILL to confirmed death over {} 'sleep 60' processes: min {} median {} max {}",
        times.size(),
        FenceReport.formatMillis(times.get(0)),
        FenceReport.formatMillis(times.get(times.size() / 2)),
        FenceReport.formatMillis(times.get(times.size() - 1)));
    assertThat(times.get(times.size() - 1)).isLessThan(ProcessKillFencer.DEFAULT_BOUND);
  }

  @Test
  void processIgnoringSigtermIsStillKilled() throws Exception {
    // SIG_IGN survives exec, so the sleep itself ignores SIGTERM.
    Process stubborn = start("sh", "-c", "trap '' TERM; echo ready; exec sleep 60");
    awaitLine(stubborn, "ready");
    stubborn.toHandle().destroy();
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(stubborn::isAlive);

    FenceReport report =
        new ProcessKillFencer(ProcessIdentity.of(stubborn.toHandle())).fence(REQUEST);

    assertThat(report.succeeded()).isTrue();
    assertExitedNow(stubborn);
  }

  @Test
  void pidThatNoLongerExistsIsSuccess() throws Exception {
    Process quick = start("true");
    ProcessIdentity identity = ProcessIdentity.of(quick.toHandle());
    quick.waitFor();

    FenceReport report = new ProcessKillFencer(identity).fence(REQUEST);

    assertThat(report.succeeded()).isTrue();
    assertThat(report.steps().get(0).detail())
        .isEqualTo("pid " + quick.pid() + " no longer exists");
  }

  @Test
  void reusedPidIsNotKilled() throws Exception {
    Process innocent = start("sleep", "60");
    long realStart = ProcessIdentity.of(innocent.toHandle()).startTicks().getAsLong();
    ProcessIdentity oldOwner = new ProcessIdentity(innocent.pid(), OptionalLong.of(realStart - 1));

    FenceReport report = new ProcessKillFencer(oldOwner).fence(REQUEST);

    assertThat(report.succeeded()).isTrue();
    assertThat(report.steps().get(0).detail()).contains("not ours").contains("left alone");
    assertThat(innocent.isAlive()).isTrue();
  }

  @Test
  void zombieCountsAsDeadEvenIfItsParentNeverReapsIt() throws Exception {
    // The sleep 60 child's parent becomes 'sleep 61' after exec, which never calls wait().
    Process parent = start("sh", "-c", "sleep 60 & echo $!; exec sleep 61");
    long childPid = Long.parseLong(readLine(parent));
    // Until the exec, the shell is the parent and would reap the killed child itself.
    Path parentComm = Path.of("/proc", Long.toString(parent.pid()), "comm");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Files.readString(parentComm).strip().equals("sleep"));
    ProcessIdentity child = ProcessIdentity.of(childPid);

    FenceReport report = new ProcessKillFencer(child).fence(REQUEST);

    log.info("kill of an unreaped grandchild: {}", report.summary());
    assertThat(report.succeeded()).isTrue();
    assertThat(report.steps().get(0).detail()).contains("zombie");
    assertThat(ProcStat.read(childPid))
        .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo('Z'));
  }

  /**
   * Right after a successful fence the process must have exited: gone or a zombie. The JDK's reaper
   * thread collects its exit status asynchronously, so Process.isAlive() may lag.
   */
  private static void assertExitedNow(Process process) throws Exception {
    assertThat(ProcStat.read(process.pid()).map(ProcStat::hasExited).orElse(true))
        .as("pid %d exited", process.pid())
        .isTrue();
    assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
  }

  private static String readLine(Process process) throws IOException {
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = reader.readLine();
    assertThat(line).as("first output line of pid %d", process.pid()).isNotNull();
    return line.strip();
  }

  private static void awaitLine(Process process, String expected) throws IOException {
    assertThat(readLine(process)).isEqualTo(expected);
  }
}
