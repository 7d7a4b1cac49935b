package io.ftvm.supervisor.follow;

import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoReader;
import io.ftvm.supervisor.nativeos.FifoWriter;
import io.ftvm.supervisor.pair.BackupLogFeeder;
import io.ftvm.supervisor.pair.PrimaryLogPump;
import io.ftvm.supervisor.pair.ReplayBounds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A recording primary QEMU and a following backup QEMU joined by nothing but a {@link
 * PrimaryLogPump} that hands its whole-event chunks straight to a {@link BackupLogFeeder}: the
 * QEMU-level data path of ftvm without the logging channel, acks or output gates.
 */
final class FollowingPair implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FollowingPair.class);

  /** Acks are not used here; the backlog limit only caps ack positions. */
  private final ChildProcessLauncher launcher;

  private final GuestNode primary;
  private final GuestNode backup;
  private final InMemoryLogStore primaryStore = new InMemoryLogStore();
  private final InMemoryLogStore backupStore = new InMemoryLogStore();
  private PrimaryLogPump pump;
  private BackupLogFeeder feeder;
  private FifoWriterOpener backupPipe;

  private FollowingPair(ChildProcessLauncher launcher, GuestNode primary, GuestNode backup) {
    this.launcher = launcher;
    this.primary = primary;
    this.backup = backup;
  }

  /**
   * Starts the primary recording into a FIFO, then the backup replaying from another FIFO with
   * go-live enabled. Either LAN may be null (frames are then dropped).
   */
  static FollowingPair start(Path work, String workload, GuestLan primaryLan, GuestLan backupLan)
      throws Exception {
    ChildProcessLauncher launcher = new ChildProcessLauncher();
    FollowingPair pair = null;
    try {
      pair =
          new FollowingPair(
              launcher,
              GuestNode.prepare(work, "primary", primaryLan),
              GuestNode.prepare(work, "backup", backupLan));
      pair.launch(work, workload);
      return pair;
    } catch (Exception e) {
      if (pair != null) {
        pair.close();
      } else {
        launcher.close();
      }
      throw e;
    }
  }

  private void launch(Path work, String workload) throws Exception {
    QemuDriver driver = new QemuDriver(launcher);
    backupPipe = FifoWriterOpener.start(Fifo.create(work.resolve("backup.rr")));
    feeder =
        BackupLogFeeder.forFifo(
            backupStore, backupPipe.writer(), ReplayBounds.unbounded(), p -> {}, why -> {});
    feeder.start();

    Fifo recordPipe = Fifo.create(work.resolve("primary.rr"));
    FifoReader reader = recordPipe.openForReading();
    reader.requestCapacity(1 << 20);
    pump = new PrimaryLogPump(reader, primaryStore, feeder::accept);
    pump.start(); // before QEMU: a full pipe would block it before its monitor is up
    primary.launch(driver, ReplaySpec.record(recordPipe.path()), workload, true);
    log.info("primary QEMU recording (pid {})", primary.vm().pid());
    // The backup reads the log header (already in the feeder) before it opens its monitor.
    backup.launch(driver, ReplaySpec.replay(backupPipe.path(), true, true), workload, false);
    log.info("backup QEMU following (pid {})", backup.vm().pid());
  }

  GuestNode primary() {
    return primary;
  }

  GuestNode backup() {
    return backup;
  }

  PrimaryLogPump pump() {
    return pump;
  }

  BackupLogFeeder feeder() {
    return feeder;
  }

  /**
   * Writes the log the primary recorded and the log the backup received into {@code directory}
   * ({@code primary.rrlog}, {@code backup.rrlog}): a failed test's replay can then be examined
   * event by event.
   */
  void keepLogs(Path directory) throws IOException {
    Files.write(directory.resolve("primary.rrlog"), primaryStore.contents());
    Files.write(directory.resolve("backup.rrlog"), backupStore.contents());
  }

  @Override
  public void close() throws Exception {
    Exception first = null;
    for (AutoCloseable resource : new AutoCloseable[] {backup, primary, pump, feeder, backupPipe}) {
      try {
        if (resource != null) {
          resource.close();
        }
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    launcher.close();
    if (first != null) {
      throw first;
    }
  }

  /**
   * Opens a FIFO's write end in the background: {@code open(2)} blocks until QEMU opens the read
   * end, which it does while starting.
   */
  static final class FifoWriterOpener implements AutoCloseable {
    private final Fifo fifo;
    private final CompletableFuture<FifoWriter> writer = new CompletableFuture<>();

    private FifoWriterOpener(Fifo fifo) {
      this.fifo = fifo;
    }

    static FifoWriterOpener start(Fifo fifo) {
      FifoWriterOpener opener = new FifoWriterOpener(fifo);
      Thread thread =
          new Thread(
              () -> {
                try {
                  opener.writer.complete(fifo.openForWriting());
                } catch (IOException e) {
                  opener.writer.completeExceptionally(e);
                }
              },
              "open-" + fifo.path().getFileName());
      thread.setDaemon(true);
      thread.start();
      return opener;
    }

    Path path() {
      return fifo.path();
    }

    CompletableFuture<FifoWriter> writer() {
      return writer;
    }

    /** Releases a still blocked opener by opening the read end once ourselves. */
    @Override
    public void close() throws IOException {
      if (!writer.isDone()) {
        try (FifoReader unblock = fifo.openForReading()) {
          writer.join().close();
        }
      } else if (!writer.isCompletedExceptionally()) {
        writer.join().close();
      }
      fifo.delete();
    }
  }
}
