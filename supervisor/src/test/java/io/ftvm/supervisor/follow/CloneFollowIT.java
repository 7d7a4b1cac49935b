package io.ftvm.supervisor.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.hypervisor.CloneEndpoints;
import io.ftvm.supervisor.hypervisor.CloneOutcome;
import io.ftvm.supervisor.hypervisor.CloneProgress;
import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.hypervisor.QmpCloneSource;
import io.ftvm.supervisor.hypervisor.QmpCloneTarget;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoReader;
import io.ftvm.supervisor.pair.BackupLogFeeder;
import io.ftvm.supervisor.pair.PrimaryLogPump;
import io.ftvm.supervisor.pair.ReplayBounds;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running VM (A, started {@link ReplaySpec#protectable()}, workload {@code all} writing its disk,
 * a kv client on its LAN) is cloned into an empty incoming QEMU (B) while it runs: disk mirror and
 * RAM pre-copy, a short pause, then A records a new log that B follows (qemu-patches 0009). B's
 * console continues A's byte for byte from the clone point; once A stops, both disks are
 * byte-identical; B goes live at the end of the stream and answers A's kv state on its own LAN.
 */
class CloneFollowIT {
  private static final Logger log = LoggerFactory.getLogger(CloneFollowIT.class);
  private static final Duration BOOT = Duration.ofMinutes(3);
  private static final Duration FOLLOW_FOR = Duration.ofSeconds(15);
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String WENT_LIVE = "ftvm: replay went live";

  private final List<AutoCloseable> resources = new ArrayList<>();
  private Path work;
  private boolean passed;

  @AfterEach
  void cleanUp() throws Exception {
    Exception first = null;
    // QEMUs first: a log pump waits for its writer's end of file.
    for (AutoCloseable resource : resources) {
      if (resource instanceof GuestNode node) {
        try {
          node.killQemu();
        } catch (Exception e) {
          first = e;
        }
      }
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (passed && work != null && !Boolean.getBoolean("ftvm.it.keep")) {
      WorkDirectory.delete(work);
    }
    if (first != null) {
      throw first;
    }
  }

  private <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  @Test
  // Until qemu-patches 0013 about a third of these clones diverged (B's replay stopped within
  // the first console lines): the HPET's migration lost a timer's last arm. A failed run keeps
  // the copy of A's new log in its work directory for diagnosis; -Dftvm.it.keep=true keeps a
  // passed run's too, to diff QEMU traces of both sides (docs/reliability.md "Clone follow
  // diverges").
  void aCloneOfARunningVmFollowsItsNewLogAndGoesLive() throws Exception {
    work = WorkDirectory.create("clone");
    ChildProcessLauncher launcher = closeLater(new ChildProcessLauncher());
    QemuDriver driver = new QemuDriver(launcher);
    GuestLan lanA = closeLater(GuestLan.create("p"));
    GuestLan lanB = closeLater(GuestLan.create("b"));
    GuestNode a = closeLater(GuestNode.prepare(work, "a", lanA));
    GuestNode b = closeLater(GuestNode.prepareEmpty(work, "b", lanB));
    a.launch(driver, ReplaySpec.protectable(), "all", true);
    b.launch(driver, ReplaySpec.cloneTarget(), "all", false);
    a.console().awaitLine("A ready", l -> l.startsWith("FTVM ready "), 0, BOOT);
    a.console().awaitLine("A services", l -> l.startsWith("FTVM net listening"), 0, BOOT);

    KvClient client = closeLater(new KvClient(new GuestClient(lanA)));
    client.start();
    client.awaitIncrements(5, Duration.ofSeconds(60));

    Clone clone = clone(a, b, "1");
    CloneOutcome outcome = clone.outcome();
    BackupLogFeeder feeder = clone.feeder();
    PrimaryLogPump pump = clone.pump();
    Path consoleA = a.directory().resolve("console.log");
    AtomicLong consoleAtSwitch = new AtomicLong(clone.consoleAtSwitch());
    long followStart = System.nanoTime();
    assertThat(consoleAtSwitch.get()).as("A's console size in the pause").isPositive();
    long incrementsAtClone = client.increments();

    // B continues A's console from the clone point while A keeps running and serving.
    Path consoleB = b.directory().resolve("console.log");
    while (System.nanoTime() - followStart < FOLLOW_FOR.toNanos()) {
      Thread.sleep(500);
      assertFollows(consoleA, consoleAtSwitch.get(), consoleB);
    }
    assertThat(client.increments())
        .as("A served its client after the clone")
        .isGreaterThan(incrementsAtClone);
    assertThat(Files.readString(consoleB)).contains("FTVM disk blocks=");
    client.stop();
    String lastValue = Long.toString(client.increments());

    // A stops; B replays to the same point: same console, same disk, byte for byte.
    a.vm().qmp().executeAndWait("stop");
    await("B's console catches up with stopped A's")
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> tail(consoleA, consoleAtSwitch.get()).equals(tail(consoleB, 0)));
    String digestA = sha256(a.directory().resolve("disk.img"));
    await("B's disk equals stopped A's")
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> sha256(b.directory().resolve("disk.img")).equals(digestA));
    assertThat(sha256(a.directory().resolve("disk.img"))).isEqualTo(digestA);
    int linesAtEnd = linesIn(consoleB);

    // The stream ends at an event boundary: B goes live and carries on as the same guest.
    long endAt = System.nanoTime();
    feeder.endStream();
    await("B reports going live")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> b.qemuLog().contains(WENT_LIVE));
    long liveAt = System.nanoTime();
    lanB.acceptInbound(true);
    b.console().awaitLine("B prints live", l -> true, linesAtEnd + 1, Duration.ofSeconds(30));
    GuestClient clientB = new GuestClient(lanB);
    assertThat(clientB.kv("GET clone")).isEqualTo(lastValue);
    assertThat(clientB.kv("INCR clone")).isEqualTo(Long.toString(client.increments() + 1));
    b.console()
        .awaitLine(
            "B's own disk report after going live",
            l -> l.startsWith("FTVM disk blocks=") && l.endsWith("errors=0"),
            linesAtEnd + 1,
            Duration.ofSeconds(30));
    assertThat(b.qemuLog()).doesNotContain("ended inside event");

    new Measurements("clone-follow")
        .put("memoryMiB", 256)
        .put("cloneTotalMillis", outcome.total().toMillis())
        .put("pauseMillis", outcome.pause().toMillis())
        .put("diskBytes", outcome.diskBytes())
        .put("ramBytes", outcome.ramBytes())
        .put("logBytesFollowed", pump.bytesRead())
        .put("kvIncrements", client.increments())
        .put("endOfStreamToWentLiveMillis", Measurements.millis(liveAt - endAt))
        .put("progressSamples", clone.progressSamples())
        .write();
    passed = true;
  }

  /** What one clone left behind: the new log's path from A to B, and the figures. */
  private record Clone(
      CloneOutcome outcome,
      long consoleAtSwitch,
      PrimaryLogPump pump,
      BackupLogFeeder feeder,
      int progressSamples) {}

  /**
   * Clones running {@code a} into launched clone target {@code b}; A's new log flows pump -> feeder
   * -> B, as a primary's and a backup's supervisors would carry it.
   */
  private Clone clone(GuestNode a, GuestNode b, String label) throws Exception {
    Fifo recordPipe = Fifo.create(work.resolve("a-clone-" + label + ".rr"));
    FifoReader reader = recordPipe.openForReading();
    reader.requestCapacity(1 << 20);
    FollowingPair.FifoWriterOpener backupPipe =
        closeLater(
            FollowingPair.FifoWriterOpener.start(
                Fifo.create(work.resolve("b-clone-" + label + ".rr"))));
    BackupLogFeeder feeder =
        closeLater(
            BackupLogFeeder.forFifo(
                new InMemoryLogStore(),
                backupPipe.writer(),
                ReplayBounds.unbounded(),
                p -> {},
                why -> {}));
    feeder.start();
    // A copy of the new log stays in the work directory (kept when the test fails) for diagnosis.
    java.nio.channels.FileChannel logCopy =
        java.nio.channels.FileChannel.open(
            work.resolve("a-clone-" + label + ".log"),
            java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.WRITE);
    closeLater(logCopy);
    PrimaryLogPump pump =
        closeLater(
            new PrimaryLogPump(
                reader,
                new InMemoryLogStore(),
                (position, chunk) -> {
                  try {
                    logCopy.write(chunk.duplicate(), position);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                  feeder.accept(position, chunk);
                }));
    pump.start();

    QmpCloneTarget target = new QmpCloneTarget(b.vm().qmp());
    CloneEndpoints endpoints = target.listen(InetAddress.getLoopbackAddress());
    Path consoleA = a.directory().resolve("console.log");
    AtomicLong consoleAtSwitch = new AtomicLong(-1);
    AtomicLong samples = new AtomicLong();
    CloneOutcome outcome =
        new QmpCloneSource(a.vm().qmp())
            .cloneTo(
                endpoints,
                recordPipe.path(),
                p -> {
                  if (p.phase().equals(CloneProgress.PAUSED)) {
                    consoleAtSwitch.set(sizeOf(consoleA)); // A is stopped: its console is final
                  }
                  samples.incrementAndGet();
                  log.info("clone {} progress {}", label, p);
                });
    log.info("clone {} outcome {}", label, outcome);
    target.awaitCloned(Duration.ofSeconds(30));
    target.startFollowing(backupPipe.path());
    assertThat(consoleAtSwitch.get()).as("A's console size in the pause").isPositive();
    return new Clone(outcome, consoleAtSwitch.get(), pump, feeder, (int) samples.get());
  }

  /**
   * Clones one VM several times: the first clone starts its recording, every later one ends it
   * first ({@code x-ftvm-record-stop}). Each clone follows A's console for a while. Figures per
   * memory size ({@code -Dftvm.clone.memoryMib}, default 256) go to {@code
   * target/ftvm-measurements}.
   */
  @Test
  // A measurement more than a test (pause and bytes per memory size), so it runs only when asked
  // for: -Dftvm.clone.rounds=N. Its "2nd clone prints nothing" failure was the HPET divergence
  // fixed by qemu-patches 0013 (5 of 5 rounds at 256 MiB passed after it).
  @EnabledIfSystemProperty(named = "ftvm.clone.rounds", matches = "[0-9]+")
  void repeatedClonesOfAWorkingVmEachFollowIt() throws Exception {
    int memoryMib = Integer.getInteger("ftvm.clone.memoryMib", 256);
    int rounds = Integer.getInteger("ftvm.clone.rounds", 3);
    work = WorkDirectory.create("clones");
    ChildProcessLauncher launcher = closeLater(new ChildProcessLauncher());
    QemuDriver driver = new QemuDriver(launcher);
    GuestLan lanA = closeLater(GuestLan.create("p"));
    GuestNode a = closeLater(GuestNode.prepare(work, "a", lanA)).memoryMib(memoryMib);
    a.launch(driver, ReplaySpec.protectable(), "all", true);
    a.console().awaitLine("A ready", l -> l.startsWith("FTVM ready "), 0, BOOT);
    a.console().awaitLine("A services", l -> l.startsWith("FTVM net listening"), 0, BOOT);
    KvClient client = closeLater(new KvClient(new GuestClient(lanA)));
    client.start();
    client.awaitIncrements(5, Duration.ofSeconds(60));
    Path consoleA = a.directory().resolve("console.log");

    List<Long> pauses = new ArrayList<>();
    List<Long> totals = new ArrayList<>();
    List<Long> ramBytes = new ArrayList<>();
    List<Long> diskBytes = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      GuestNode b =
          closeLater(GuestNode.prepareEmpty(work, "b" + round, null)).memoryMib(memoryMib);
      b.launch(driver, ReplaySpec.cloneTarget(), "all", false);
      Clone clone = clone(a, b, Integer.toString(round));
      Path consoleB = b.directory().resolve("console.log");
      await("clone " + round + " prints A's disk reports")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .until(() -> Files.readString(consoleB).contains("FTVM disk blocks="));
      assertFollows(consoleA, clone.consoleAtSwitch(), consoleB);
      pauses.add(clone.outcome().pause().toMillis());
      totals.add(clone.outcome().total().toMillis());
      ramBytes.add(clone.outcome().ramBytes());
      diskBytes.add(clone.outcome().diskBytes());
      b.vm().kill(); // the next clone ends this log; nobody needs this follower any more
    }
    long incrementsBefore = client.increments();
    client.awaitIncrements(incrementsBefore + 5, Duration.ofSeconds(60));
    client.stop();

    new Measurements("clone-repeat-" + memoryMib + "mib")
        .put("memoryMiB", memoryMib)
        .put("rounds", rounds)
        .put("pauseMillis", pauses)
        .put("pauseP50Millis", Measurements.percentile(pauses, 0.5))
        .put("pauseMaxMillis", pauses.stream().mapToLong(Long::longValue).max().orElse(-1))
        .put("cloneTotalMillis", totals)
        .put("ramBytes", ramBytes)
        .put("diskBytes", diskBytes)
        .put("kvIncrements", client.increments())
        .write();
    passed = true;
  }

  /** B's console so far is A's console from the clone point on (B may lag). */
  private static void assertFollows(Path consoleA, long offset, Path consoleB) throws IOException {
    byte[] fromA = Files.readAllBytes(consoleA);
    byte[] fromB = Files.readAllBytes(consoleB);
    byte[] aAfterSwitch = Arrays.copyOfRange(fromA, (int) offset, fromA.length);
    int common = Math.min(aAfterSwitch.length, fromB.length);
    assertThat(new String(fromB, 0, common, java.nio.charset.StandardCharsets.ISO_8859_1))
        .as("B's console is A's after the clone point")
        .isEqualTo(
            new String(aAfterSwitch, 0, common, java.nio.charset.StandardCharsets.ISO_8859_1));
  }

  private static String tail(Path file, long offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    return new String(
        bytes,
        (int) offset,
        bytes.length - (int) offset,
        java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static int linesIn(Path file) throws IOException {
    return (int)
        Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)
            .chars()
            .filter(c -> c == '\n')
            .count();
  }

  private static long sizeOf(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  static String sha256(Path file) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Increments one kv key on the guest, one request after the other, until stopped. */
  private static final class KvClient implements AutoCloseable {
    private final GuestClient client;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong increments = new AtomicLong();
    private final Thread thread;
    private volatile Throwable failure;

    KvClient(GuestClient client) {
      this.client = client;
      this.thread = new Thread(this::run, "kv-client");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      try {
        while (running.get()) {
          String reply = client.kv("INCR clone");
          long expected = increments.get() + 1;
          if (!reply.equals(Long.toString(expected))) {
            throw new IllegalStateException("INCR returned " + reply + ", expected " + expected);
          }
          increments.set(expected);
          Thread.sleep(50);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Throwable t) {
        failure = t;
      }
    }

    long increments() {
      return increments.get();
    }

    void awaitIncrements(long count, Duration timeout) {
      await("kv client increments")
          .atMost(timeout)
          .until(() -> increments() >= count || failure != null);
      check();
    }

    void stop() throws InterruptedException {
      running.set(false);
      thread.join(TimeUnit.SECONDS.toMillis(30));
      check();
    }

    private void check() {
      assertThat(failure).as("kv client").isNull();
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
  }
}
