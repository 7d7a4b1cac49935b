package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records an idle pc machine with the patched QEMU 10.0.13 (its recording of a regular file is
 * stock QEMU's), validates the log and replays it.
 */
class RealRecordingIT {
  private static final Logger log = LoggerFactory.getLogger(RealRecordingIT.class);

  /** The patched QEMU that .ci/run builds and passes as -Dftvm.qemu (it records like stock). */
  private static final Path QEMU = Path.of(System.getProperty("ftvm.qemu", ""));

  @TempDir Path dir;

  private static List<String> qemu(String rrMode, Path rrFile) {
    List<String> cmd = new ArrayList<>();
    cmd.add(QEMU.toString());
    cmd.addAll(
        List.of(
            "-machine",
            "pc",
            "-m",
            "64",
            "-nodefaults",
            "-display",
            "none",
            "-serial",
            "none",
            "-icount",
            "shift=auto,rr=" + rrMode + ",rrfile=" + rrFile,
            "-L",
            "/usr/share/seabios",
            "-L",
            "/usr/share/qemu"));
    return cmd;
  }

  private Process start(List<String> cmd, String name) throws Exception {
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .start();
  }

  private static void stop(Process process) throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private void requireQemu() {
    if (!Files.isExecutable(QEMU)) {
      throw new IllegalStateException(
          "this IT needs -Dftvm.qemu=<patched qemu-system-x86_64> (qemu-patches/build.sh; .ci/run"
              + " passes it), got '"
              + QEMU
              + "'");
    }
  }

  private void assertReplaysToCompletion(Path rr) throws Exception {
    Process replayer = start(qemu("replay", rr), "replay");
    try {
      assertThat(replayer.waitFor(60, TimeUnit.SECONDS)).as("replay finished").isTrue();
      assertThat(replayer.exitValue()).as(Files.readString(dir.resolve("replay.out"))).isZero();
    } finally {
      stop(replayer);
    }
  }

  @Test
  void killedRecordingIsFinishedAndReplays() throws Exception {
    requireQemu();
    Path rr = dir.resolve("killed.bin");
    Process recorder = start(qemu("record", rr), "record");
    try {
      assertThat(recorder.waitFor(3, TimeUnit.SECONDS)).as("recorder still running").isFalse();
    } finally {
      stop(recorder);
    }
    assertThat(recorder.exitValue()).isEqualTo(137);

    LogStats stats = new ReplayLogValidator().finishDeadRecording(rr);
    log.info("finished killed recording:\n{}", stats.render());

    assertReplaysToCompletion(rr);
  }

  @Test
  void recordsValidatesAndReplays() throws Exception {
    requireQemu();
    Path rr = dir.resolve("rec.bin");
    Process recorder = start(qemu("record", rr), "record");
    try {
      // the recorder only finalizes the header when it exits; SIGTERM makes it run replay_finish
      assertThat(recorder.waitFor(3, TimeUnit.SECONDS)).as("recorder still running").isFalse();
      recorder.destroy();
      assertThat(recorder.waitFor(20, TimeUnit.SECONDS)).isTrue();
    } finally {
      stop(recorder);
    }

    LogStats stats = new ReplayLogValidator().validateFinished(rr);
    log.info("recorded {} bytes:\n{}", Files.size(rr), stats.render());
    assertThat(stats.bytesSeen()).isEqualTo(Files.size(rr));
    assertThat(stats.instructions()).isPositive();

    Process replayer = start(qemu("replay", rr), "replay");
    try {
      assertThat(replayer.waitFor(60, TimeUnit.SECONDS)).as("replay finished").isTrue();
      assertThat(replayer.exitValue()).as(Files.readString(dir.resolve("replay.out"))).isZero();
    } finally {
      stop(replayer);
    }
  }
}
