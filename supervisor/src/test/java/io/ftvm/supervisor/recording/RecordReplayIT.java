package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.replay.EventKind;
import io.ftvm.replay.LogStats;
import io.ftvm.replay.ReplayLogFormat;
import io.ftvm.replay.ReplayLogValidator;
import io.ftvm.replay.RunBundle;
import io.ftvm.supervisor.cli.FtvmCommand;
import io.ftvm.supervisor.pair.TestEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code ftvm record} then {@code ftvm replay} with the real patched QEMU and test VM, through the
 * CLI in-process. Each workload is recorded once (15 s after boot) and replayed; the idle bundle is
 * then damaged in several ways to prove replay refuses or flags it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RecordReplayIT {
  private static final int SECONDS = 15;

  /** Static: shared by all tests, since the bundles recorded once are shared by all tests. */
  @TempDir static Path dir;

  private Path qemu;
  private Path testVm;
  private final Map<String, Path> bundles = new HashMap<>();
  private List<String> namespacesBefore;

  /** Output of one CLI run. */
  record Run(int exit, String out, String err) {}

  @BeforeAll
  void environment() throws Exception {
    qemu = TestEnvironment.qemu();
    testVm = TestEnvironment.testVm();
    namespacesBefore = recorderNamespaces();
  }

  @AfterAll
  void noNamespaceLeftBehind() throws Exception {
    assertThat(recorderNamespaces()).isEqualTo(namespacesBefore);
  }

  private static List<String> recorderNamespaces() throws IOException, InterruptedException {
    Process list = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
    String output = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    list.waitFor();
    return output.lines().filter(l -> l.startsWith("ftvm-rec-")).toList();
  }

  private static Run ftvm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exit = commandLine.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private synchronized Path recorded(String workload) {
    return bundles.computeIfAbsent(
        workload,
        w -> {
          Path out = dir.resolve(w + ".ftlog");
          Run run =
              ftvm(
                  "record",
                  "--vm",
                  testVm.toString(),
                  "--workload",
                  w,
                  "--seconds",
                  Integer.toString(SECONDS),
                  "--out",
                  out.toString(),
                  "--qemu",
                  qemu.toString());
          assertThat(run.exit()).as("record %s: %s", w, run.err()).isZero();
          assertThat(run.err()).contains("guest ready after").contains("recorded 10 s of 15");
          return out;
        });
  }

  private Run replay(Path bundle, String... more) {
    String[] args = {"replay", bundle.toString(), "--qemu", qemu.toString()};
    String[] all = Arrays.copyOf(args, args.length + more.length);
    System.arraycopy(more, 0, all, args.length, more.length);
    return ftvm(all);
  }

  private LogStats stats(Path bundle) throws IOException {
    Path log = dir.resolve("stats-" + bundle.getFileName() + ".bin");
    RunBundle.read(bundle).extractReplayLog(log);
    return new ReplayLogValidator().validateFinished(log);
  }

  @ParameterizedTest
  @ValueSource(strings = {"idle", "cpu", "disk", "net"})
  void replayReproducesConsoleAndDisk(String workload) throws Exception {
    Path bundle = recorded(workload);

    Run run = replay(bundle);

    assertThat(run.exit()).as("replay %s:\n%s\n%s", workload, run.out(), run.err()).isZero();
    assertThat(run.out())
        .startsWith("replay IDENTICAL to the recording")
        .contains("console: identical")
        .contains("disk: identical");
    RunBundle read = RunBundle.read(bundle);
    assertThat(read.manifest().instructionCount()).isEqualTo(stats(bundle).instructions());
    assertThat(read.consoleLog()).contains("FTVM ready workload=" + workload);
  }

  @Test
  void cpuWorkloadRecordsItsDigests() throws Exception {
    assertThat(RunBundle.read(recorded("cpu")).consoleLog()).contains("FTVM cpu rounds=");
  }

  @Test
  void diskWorkloadChangesTheDiskAndTheManifestSaysSo() throws Exception {
    RunBundle bundle = RunBundle.read(recorded("disk"));

    assertThat(bundle.manifest().finalDiskSha256())
        .isNotEqualTo(bundle.manifest().initialDiskSha256());
    assertThat(bundle.consoleLog()).contains("FTVM disk blocks=").doesNotContain("MISMATCH");
  }

  @Test
  void netRecordingHoldsFramesFromOutsideAndTheGuestAcceptedConnections() throws Exception {
    Path bundle = recorded("net");

    assertThat(stats(bundle).count(EventKind.ASYNC_NET)).isGreaterThan(20);
    String console = RunBundle.read(bundle).consoleLog();
    assertThat(console)
        .contains("FTVM net accept service=echo")
        .contains("FTVM net accept service=kv")
        .contains("FTVM net accept service=counter")
        .contains("peer=10.77.0.1:");
    assertThat(recorderNamespaces()).isEqualTo(namespacesBefore);
  }

  @Test
  void aFlippedByteInTheLogIsBadInputWithTheOffset() throws Exception {
    Path damaged =
        BundleSurgery.withEntry(
            recorded("idle"),
            dir.resolve("flipped.ftlog"),
            RunBundle.REPLAY_LOG_ENTRY,
            bytes -> {
              bytes[ReplayLogFormat.HEADER_SIZE] = (byte) 0xee;
              return bytes;
            });

    Run run = replay(damaged);
    Run inspect = ftvm("log", "inspect", damaged.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("replay.bin: corrupt replay log at byte 12");
    assertThat(inspect.exit()).isEqualTo(2);
    assertThat(inspect.err()).contains("corrupt replay log at byte 12");
  }

  @Test
  void aTruncatedLogIsBadInput() throws Exception {
    Path damaged =
        BundleSurgery.withEntry(
            recorded("idle"),
            dir.resolve("truncated.ftlog"),
            RunBundle.REPLAY_LOG_ENTRY,
            bytes -> Arrays.copyOf(bytes, bytes.length / 2));

    Run run = replay(damaged);

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err()).contains("replay.bin: truncated replay log");
  }

  @Test
  void anotherVmsFilesAreRefusedNamingTheFile() throws Exception {
    Path otherVm = Files.createDirectories(dir.resolve("other-vm"));
    for (String file : List.of("vm.json", "vmlinuz", "initrd.img", "disk.img")) {
      Files.copy(testVm.resolve(file), otherVm.resolve(file));
    }
    byte[] initrd = Files.readAllBytes(otherVm.resolve("initrd.img"));
    initrd[initrd.length / 2] ^= 1;
    Files.write(otherVm.resolve("initrd.img"), initrd);

    Run run = replay(recorded("idle"), "--vm", otherVm.toString());

    assertThat(run.exit()).isEqualTo(2);
    assertThat(run.err())
        .contains("initrd " + otherVm.resolve("initrd.img").toAbsolutePath())
        .contains("differs from the recorded one");
  }

  @Test
  void aConsoleThatDoesNotMatchIsReportedAsDivergenceWithTheLine() throws Exception {
    Path altered =
        BundleSurgery.withEntry(
            recorded("idle"),
            dir.resolve("altered.ftlog"),
            RunBundle.CONSOLE_ENTRY,
            bytes ->
                new String(bytes, StandardCharsets.UTF_8)
                    .replace("FTVM ready workload=idle", "FTVM ready workload=tampered")
                    .getBytes(StandardCharsets.UTF_8));

    Run run = replay(altered);

    assertThat(run.exit()).as(run.err()).isEqualTo(1);
    assertThat(run.out())
        .startsWith("replay DIVERGED")
        .containsPattern("console output diverges at line \\d+:")
        .contains("expected: \"FTVM ready workload=tampered ip=10.77.0.10/24\"")
        .contains("actual:   \"FTVM ready workload=idle ip=10.77.0.10/24\"");
  }
}
