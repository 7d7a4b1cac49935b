package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.ReplayLogFormat;
import io.ftvm.replay.RunBundle;
import io.ftvm.replay.VmConfig;
import io.ftvm.supervisor.recording.Sha256;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to record, replay and log inspect: exit status 2 and a precise message, no QEMU. */
class RecordReplayCliTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path kernel;
  private Path initrd;
  private Path disk;

  @BeforeEach
  void guestFiles() throws Exception {
    kernel = Files.writeString(dir.resolve("vmlinuz"), "kernel bytes");
    initrd = Files.writeString(dir.resolve("initrd.img"), "initrd bytes");
    disk = Files.write(dir.resolve("disk.img"), new byte[4096]);
  }

  private int run(String... args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  /** Header plus END: the smallest finished replay log. */
  static byte[] finishedLog() {
    return ByteBuffer.allocate(ReplayLogFormat.HEADER_SIZE + 1)
        .putInt(ReplayLogFormat.REPLAY_VERSION)
        .putLong(0)
        .put((byte) ReplayLogFormat.EVENT_END)
        .array();
  }

  private BundleManifest manifest(String kernelSha) throws Exception {
    List<String> args =
        List.of(
            "-m",
            "256",
            "-kernel",
            kernel.toString(),
            "-initrd",
            initrd.toString(),
            "-drive",
            "file=" + disk + ",format=raw,if=none,id=d0",
            "-device",
            "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56");
    return new BundleManifest(
        RunBundle.FORMAT_VERSION,
        "test",
        "10.0.13",
        ReplayLogFormat.REPLAY_VERSION,
        new VmConfig(kernelSha, Sha256.of(initrd), Sha256.of(disk), "console=ttyS0", args, "idle"),
        Sha256.of(disk),
        Sha256.of(disk),
        1.0,
        0,
        "2026-11-22T04:00:00Z");
  }

  private Path bundle(BundleManifest manifest) throws Exception {
    Path log = Files.write(dir.resolve("replay.bin"), finishedLog());
    Path console = Files.writeString(dir.resolve("console.log"), "FTVM ready\r\n");
    return RunBundle.write(dir.resolve("run.ftlog"), manifest, log, console).file();
  }

  /** The same bundle with replay.bin replaced by {@code log}, as a damaged copy would have it. */
  private Path withReplayLog(Path bundle, byte[] log) throws Exception {
    Path damaged = dir.resolve("damaged.ftlog");
    try (ZipFile in = new ZipFile(bundle.toFile());
        ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(damaged))) {
      for (ZipEntry entry : in.stream().toList()) {
        zip.putNextEntry(new ZipEntry(entry.getName()));
        zip.write(
            entry.getName().equals(RunBundle.REPLAY_LOG_ENTRY)
                ? log
                : in.getInputStream(entry).readAllBytes());
        zip.closeEntry();
      }
    }
    return damaged;
  }

  @Test
  void replayOfAFileThatIsNotABundleIsBadInput() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.txt"), "hello");

    assertThat(run("replay", text.toString(), "--qemu", "/bin/true")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("ftvm replay: " + text + " is not a run bundle (not a zip file");
  }

  @Test
  void replayOfAMissingBundleIsBadInput() {
    assertThat(run("replay", dir.resolve("gone.ftlog").toString(), "--qemu", "/bin/true"))
        .isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "ftvm replay: " + dir.resolve("gone.ftlog") + " does not exist or is not a file\n");
  }

  @Test
  void replayWithAnotherKernelNamesItAndBothDigests() throws Exception {
    String recorded = "0".repeat(64);
    Path bundle = bundle(manifest(recorded));

    assertThat(run("replay", bundle.toString(), "--qemu", "/bin/true")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "ftvm replay: kernel "
                + kernel
                + " differs from the recorded one (sha256 "
                + Sha256.of(kernel)
                + ", recorded "
                + recorded
                + ")\n");
  }

  @Test
  void replayWithMissingGuestFilesSaysWhereToLook() throws Exception {
    Path bundle = bundle(manifest(Sha256.of(kernel)));
    Files.delete(kernel);

    assertThat(run("replay", bundle.toString(), "--qemu", "/bin/true")).isEqualTo(2);
    assertThat(err.toString())
        .contains("kernel " + kernel + " does not exist on this host")
        .contains("--vm");
  }

  @Test
  void replayOfATruncatedLogIsBadInputWithTheReason() throws Exception {
    Path bundle = withReplayLog(bundle(manifest(Sha256.of(kernel))), new byte[] {0, (byte) 0xe0});

    assertThat(run("replay", bundle.toString(), "--qemu", "/bin/true")).isEqualTo(2);
    assertThat(err.toString()).contains("replay.bin: truncated replay log");
  }

  @Test
  void replayOfACorruptLogNamesTheOffset() throws Exception {
    byte[] log = finishedLog();
    log[ReplayLogFormat.HEADER_SIZE] = (byte) 0xee;
    Path bundle = withReplayLog(bundle(manifest(Sha256.of(kernel))), log);

    assertThat(run("replay", bundle.toString(), "--qemu", "/bin/true")).isEqualTo(2);
    assertThat(err.toString()).contains("replay.bin: corrupt replay log at byte 12");
  }

  @Test
  void inspectSummarisesABundle() throws Exception {
    Path bundle = bundle(manifest(Sha256.of(kernel)));

    assertThat(run("log", "inspect", bundle.toString())).isZero();
    assertThat(out.toString())
        .contains("workload    : idle, 1.0 s recorded after boot")
        .contains("kernel      : sha256 " + Sha256.of(kernel))
        .contains("events      : 1 (ends with END)");
  }

  @Test
  void inspectOfGarbageIsBadInput() throws Exception {
    Path garbage =
        Files.write(
            dir.resolve("garbage.bin"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});

    assertThat(run("log", "inspect", garbage.toString())).isEqualTo(2);
    assertThat(err.toString()).startsWith("ftvm log inspect: " + garbage + ": ");
  }

  @Test
  void recordRejectsZeroSecondsBeforeStartingAnything() throws Exception {
    Path vm = dir.resolve("vm.json");
    Files.writeString(
        vm,
        "{\"kernel\":{\"file\":\"vmlinuz\"},\"initrd\":{\"file\":\"initrd.img\"},"
            + "\"disk\":{\"file\":\"disk.img\"}}");

    int exit =
        run(
            "record",
            "--vm",
            vm.toString(),
            "--seconds",
            "0",
            "--out",
            dir.resolve("r.ftlog").toString(),
            "--qemu",
            "/bin/true");

    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).isEqualTo("ftvm record: --seconds 0 is out of range (1 to 86400)\n");
  }

  @Test
  void recordWithAMissingVmIsBadInput() {
    Path vm = dir.resolve("no-such-vm");

    assertThat(run("record", "--vm", vm.toString(), "--qemu", "/bin/true")).isEqualTo(2);
    assertThat(err.toString())
        .isEqualTo(
            "ftvm record: VM description "
                + vm
                + " does not exist (expected a VM directory or vm.json)\n");
  }
}
