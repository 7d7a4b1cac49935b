package io.ftvm.supervisor.nativeos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChildProcessLauncherIT {
  private final List<Long> pidsToReap = new ArrayList<>();
  private final List<Process> processesToKill = new ArrayList<>();

  @AfterEach
  void killLeftovers() {
    processesToKill.forEach(Process::destroyForcibly);
    for (long pid : pidsToReap) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void aChildDiesWhenItsSupervisorJvmIsKilledWithSigkill() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process supervisor =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LaunchSleepMain.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    processesToKill.add(supervisor);
    long sleepPid;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(supervisor.getInputStream(), StandardCharsets.UTF_8))) {
      sleepPid = Long.parseLong(out.readLine().trim());
    }
    pidsToReap.add(sleepPid);
    LinuxProcess.Status sleepStatus = LinuxProcess.status(sleepPid).orElseThrow();
    assertThat(sleepStatus.parentPid()).isEqualTo(supervisor.pid());
    assertThat(LinuxProcess.isRunning(sleepPid)).isTrue();

    supervisor.destroyForcibly(); // SIGKILL: no shutdown hooks, no cleanup code runs
    assertThat(supervisor.waitFor(10, TimeUnit.SECONDS)).isTrue();

    await().atMost(Duration.ofSeconds(5)).until(() -> !LinuxProcess.isRunning(sleepPid));
  }

  @Test
  void aChildWhoseParentIsNotTheExpectedOneRefusesToRun() throws Exception {
    long somebodyElse = ProcessHandle.current().pid() + 1_000_000;
    try (ChildProcessLauncher launcher =
        new ChildProcessLauncher(Path.of("/usr/bin/setpriv"), somebodyElse)) {
      Process child = launcher.start(new ProcessBuilder("sleep", "1000").redirectErrorStream(true));
      processesToKill.add(child);

      assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isEqualTo(ChildProcessLauncher.ORPHANED_EXIT_CODE);
      assertThat(new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
          .contains("died before the child was tied to it")
          .contains("not starting sleep");
    }
  }

  @Test
  void theRealCommandRunsAsADirectChildOfThisJvm() throws Exception {
    try (ChildProcessLauncher launcher = new ChildProcessLauncher()) {
      Process child =
          launcher.start(new ProcessBuilder("sh", "-c", "echo \"PPid: $PPID\"; exec sleep 1000"));
      processesToKill.add(child);
      String firstLine;
      try (BufferedReader out =
          new BufferedReader(
              new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        firstLine = out.readLine();
      }

      assertThat(firstLine).matches("PPid:\\s+" + ProcessHandle.current().pid());
      assertThat(LinuxProcess.status(child.pid()).orElseThrow().parentPid())
          .isEqualTo(ProcessHandle.current().pid());
    }
  }

  @Test
  void closingTheLauncherKillsItsChildren() throws Exception {
    ChildProcessLauncher launcher = new ChildProcessLauncher();
    Process child = launcher.start(new ProcessBuilder("sleep", "1000"));
    processesToKill.add(child);
    assertThat(child.isAlive()).isTrue();

    launcher.close();

    assertThat(child.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).isEqualTo(128 + 9);
  }
}
