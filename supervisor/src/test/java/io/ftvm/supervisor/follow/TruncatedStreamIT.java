package io.ftvm.supervisor.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.replay.EventKind;
import io.ftvm.replay.ParserOptions;
import io.ftvm.replay.StreamingEventParser;
import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmLaunchException;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoReader;
import io.ftvm.supervisor.nativeos.FifoWriter;
import io.ftvm.supervisor.pair.BackupLogFeeder;
import io.ftvm.supervisor.pair.LogShipper;
import io.ftvm.supervisor.pair.PrimaryLogPump;
import io.ftvm.supervisor.pair.ReplayBounds;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end of a followed stream decides whether a backup may go live: QEMU itself refuses a stream
 * cut inside an event (it would otherwise continue from half an event), while the feeder always
 * cuts at an event boundary, from where QEMU goes live and the guest keeps running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TruncatedStreamIT {
  private static final Duration BOOT = Duration.ofMinutes(3);
  private static final Duration REPLAY = Duration.ofMinutes(2);

  private Path work;
  private ChildProcessLauncher launcher;
  private QemuDriver driver;
  private byte[] recording;
  private List<String> recordedConsole;
  private int passedTests;

  /** Records the boot up to the guest's first console line, then kills the recording QEMU. */
  @BeforeAll
  void record() throws Exception {
    work = WorkDirectory.create("truncated");
    launcher = new ChildProcessLauncher();
    driver = new QemuDriver(launcher);
    InMemoryLogStore store = new InMemoryLogStore();
    Fifo pipe = Fifo.create(work.resolve("record.rr"));
    try (GuestNode recorder = GuestNode.prepare(work, "recorder", null);
        FifoReader reader = pipe.openForReading();
        PrimaryLogPump pump = new PrimaryLogPump(reader, store, LogShipper.NOBODY)) {
      pump.start();
      recorder.launch(driver, ReplaySpec.record(pipe.path()), "idle", true);
      recorder.console().awaitLine("first guest line", l -> l.startsWith("FTVM boot"), 0, BOOT);
      recorder.vm().kill();
      pump.finished().get(30, TimeUnit.SECONDS);
      recordedConsole = recorder.console().lines();
    }
    recording = store.contents();
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (launcher != null) {
      launcher.close();
    }
    if (passedTests == 3 && work != null) { // kept for the post-mortem otherwise
      WorkDirectory.delete(work);
    }
  }

  @Test
  void qemuRefusesToGoLiveFromAStreamCutInsideAnEvent() throws Exception {
    long cut = insideLastEvent(recording, EventKind.INSTRUCTION);
    try (FollowingPair.FifoWriterOpener opener =
            FollowingPair.FifoWriterOpener.start(Fifo.create(work.resolve("raw-cut.rr")));
        GuestNode backup = GuestNode.prepare(work, "raw-cut", null)) {
      Thread writer =
          new Thread(
              () -> {
                try (FifoWriter out = opener.writer().get()) {
                  out.write(recording, 0, (int) cut); // bypasses the feeder's boundary cutting
                } catch (Exception e) {
                  // QEMU exits while we still write: that is what this test provokes
                }
              },
              "raw-cut-writer");
      writer.setDaemon(true);
      writer.start();
      try {
        backup.launch(driver, ReplaySpec.replay(opener.path(), true, true), "idle", false);
        assertThat(backup.vm().awaitExit(REPLAY)).as("QEMU exits at the cut").isTrue();
        assertThat(backup.vm().exitValue().orElseThrow()).as("exit status").isNotZero();
      } catch (VmLaunchException e) {
        // It may fail before its monitor is up; its log says why, checked below.
      }
      String qemuLog = backup.qemuLog();
      assertThat(qemuLog)
          .contains("replay log ended inside event")
          .contains("a followed stream must be cut at an event boundary")
          .doesNotContain("replay went live");
    }
    passedTests++;
  }

  /**
   * A CHAR_WRITE cut is the likeliest end of a real stream: the recording QEMU flushes its log
   * before each console write and logs the write's CHAR_WRITE event only after it, so a primary
   * that dies right after printing leaves a stream that ends just before that event.
   */
  @ParameterizedTest
  @EnumSource(
      value = EventKind.class,
      names = {"INSTRUCTION", "CHAR_WRITE"})
  void theFeedersCutAfterAPartialChunkGoesLive(EventKind cutInside) throws Exception {
    long cut = insideLastEvent(recording, cutInside);
    AtomicLong acked = new AtomicLong();
    try (FollowingPair.FifoWriterOpener opener =
            FollowingPair.FifoWriterOpener.start(
                Fifo.create(work.resolve("fed-" + cutInside + ".rr")));
        GuestNode backup = GuestNode.prepare(work, "fed-" + cutInside, null);
        BackupLogFeeder feeder =
            BackupLogFeeder.forFifo(
                new InMemoryLogStore(),
                opener.writer(),
                ReplayBounds.unbounded(),
                acked::set,
                why -> {})) {
      feeder.start();
      // One chunk that ends in the middle of an event, as when the primary dies mid-send.
      feeder.accept(0, ByteBuffer.wrap(recording, 0, (int) cut));
      feeder.endStream();
      backup.launch(driver, ReplaySpec.replay(opener.path(), true, true), "idle", false);
      await("backup QEMU goes live at the feeder's cut")
          .atMost(REPLAY)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> backup.qemuLog().contains("ftvm: replay went live"));
      assertThat(feeder.failure()).isNull();
      assertThat(feeder.fedPosition()).as("bytes fed: whole events only").isLessThan(cut);
      // Live from the middle of the boot: the guest finishes booting on its own.
      await("live guest ready on " + backup.console().file())
          .atMost(BOOT)
          .pollInterval(Duration.ofMillis(50))
          .failFast(
              "backup QEMU exited: " + backup.directory().resolve("qemu.log"),
              () -> !backup.vm().isRunning())
          .until(() -> backup.console().indexOf(l -> l.startsWith("FTVM ready "), 0).isPresent());
      int ready = backup.console().indexOf(l -> l.startsWith("FTVM ready "), 0).orElseThrow();
      assertThat(backup.console().lines().subList(0, recordedConsole.size()))
          .isEqualTo(recordedConsole);
      assertThat(ready).isGreaterThanOrEqualTo(recordedConsole.size());
      assertThat(backup.vm().isRunning()).isTrue();
      assertThat(backup.qemuLog()).doesNotContain("ended inside event");
    }
    passedTests++;
  }

  /** An offset one byte into the last event of {@code kind} (a kind with a payload). */
  private static long insideLastEvent(byte[] log, EventKind wanted) throws Exception {
    AtomicLong start = new AtomicLong(-1);
    StreamingEventParser parser =
        new StreamingEventParser(
            ParserOptions.strict(),
            (kind, offset, length, argument) -> {
              if (kind == wanted && length > 1) {
                start.set(offset);
              }
            });
    parser.feed(log);
    assertThat(start.get()).as("a " + wanted + " event in the recording").isPositive();
    return start.get() + 1;
  }
}
