package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.hypervisor.ConsoleSpec;
import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.hypervisor.ReplayMode;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.vm.GuestDevicesMapping;
import io.ftvm.supervisor.vm.ImageDigest;
import io.ftvm.supervisor.vm.ReadinessProbe;
import io.ftvm.supervisor.vm.SparseImageCopy;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDescriptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9, item 6: a real guest, Debian 12 with systemd and PostgreSQL 15 on a 2 GiB disk booted
 * through the firmware (test-vms/build-debian.sh, built from Debian packages and cached). Opt-in
 * ({@code -Dftvm.it.debian=true}): the build takes minutes the first time and every boot under TCG
 * takes minutes, more than CI's budget has room for. Each test is short enough to run on its own
 * under the VM lock ({@code -Dit.test=DebianGuestIT#method}).
 */
@EnabledIfSystemProperty(named = "ftvm.it.debian", matches = "true")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DebianGuestIT {
  private static final Logger log = LoggerFactory.getLogger(DebianGuestIT.class);
  private static final String READY = "FTVM ready postgresql";
  private static final Duration BOOT_LIMIT = Duration.ofMinutes(6);
  private static final Duration IDLE_MEASURED = Duration.ofSeconds(20);
  private static final int ACKS_BEFORE = 50;
  private static final int ACKS_AFTER = 50;

  @TempDir Path dir;

  private Path qemu;
  private VmDescription debian;
  private ChildProcessLauncher launcher;

  @BeforeAll
  void environment() throws Exception {
    qemu = TestEnvironment.qemu();
    Process build =
        new ProcessBuilder("bash", "../test-vms/build-debian.sh")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String out = new String(build.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(build.waitFor()).as("build-debian.sh").isZero();
    List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
    debian = new VmDescriptions().load(Path.of(lines.get(lines.size() - 1).trim()));
    launcher = new ChildProcessLauncher();
  }

  @AfterAll
  void close() {
    if (launcher != null) {
      launcher.close();
    }
  }

  /** Plain TCG, no icount, no log: what the guest costs without ftvm. */
  @Test
  void bootsPlain() throws Exception {
    Run plain = run("plain", ReplaySpec.none(), Duration.ZERO);
    log.info("plain TCG: ready line after {} ms", plain.readyMillis());
  }

  /** Record the boot and some idle time; the replay must print and write exactly the same. */
  @Test
  void recordAndReplayAreIdentical() throws Exception {
    Path rr = dir.resolve("debian.rr");
    Run recorded = run("record", ReplaySpec.record(rr), IDLE_MEASURED);
    Run replayed = run("replay", ReplaySpec.replay(rr, false, false), Duration.ZERO);

    assertThat(replayed.console()).isEqualTo(recorded.console());
    assertThat(replayed.diskDigest()).isEqualTo(recorded.diskDigest());
    double idleRate =
        (recorded.logBytesAtEnd() - recorded.logBytesAtReady())
            / (double) IDLE_MEASURED.toSeconds();
    log.info(
        "recorded: ready after {} ms, log {} bytes at ready, idle log {} KB/s; replay identical"
            + " ({} console bytes) in {} ms",
        recorded.readyMillis(),
        recorded.logBytesAtReady(),
        String.format("%.1f", idleRate / 1000),
        recorded.console().length(),
        replayed.wallMillis());
  }

  /**
   * The pair booted from the disk through the firmware; a client commits numbered transactions over
   * one connection; kill -9 of host A; the backup goes live and the same connection goes on
   * committing; afterwards every acknowledged transaction is in the table, read over that
   * connection.
   */
  @Test
  void aPairLosesNoAcknowledgedTransactionThroughAKillOfHostA() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-debian-pair-");
    PairGuest guest =
        new ProbedGuest(new DescribedGuest(debian), ReadinessProbe.tcp(TransactionLog.PORT));
    long started = System.nanoTime();
    try (PairHarness harness =
        PairHarness.start(
            work, guest, Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS))) {
      long protectedMillis = (System.nanoTime() - started) / 1_000_000;
      await("PostgreSQL in the protected guest accepts connections (TCP probe)")
          .atMost(BOOT_LIMIT)
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  harness.status(LocalPair.PRIMARY).guest().readiness() == GuestView.Readiness.UP);
      long readyMillis = (System.nanoTime() - started) / 1_000_000;
      Map<String, Object> measured = new LinkedHashMap<>();
      measured.put("startToProtectedMillis", protectedMillis);
      measured.put("startToGuestUpMillis", readyMillis);
      measured.put("guestUp", harness.status(LocalPair.PRIMARY).guest().detail());
      measured.put("nodeStateDirBytesAtReady", nodeStateBytes(harness));

      String guestIp = harness.pair().topology().guestAddress().address();
      Path transcript = work.resolve("transactions.txt");
      Path stop = work.resolve("transactions.stop");
      harness.startClient(
          TransactionClient.class,
          List.of(
              guestIp,
              transcript.toString(),
              stop.toString(),
              Long.toString(Duration.ofMinutes(6).toMillis())),
          "transaction-client.log");
      await("transactions committed through the protected primary")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> TransactionLog.read(transcript).acks().size() >= ACKS_BEFORE);
      assertThat(harness.status(LocalPair.PRIMARY).role()).isEqualTo(NodeRole.PRIMARY_PROTECTED);
      assertThat(harness.status(LocalPair.BACKUP).role()).isEqualTo(NodeRole.BACKUP_REPLAYING);

      long faultAt = System.currentTimeMillis();
      PairFault.KILL_PRIMARY_HOST.inject(harness);
      await("the backup live after the kill of host A")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(10))
          .until(
              () -> harness.pair().roleOf(LocalPair.BACKUP).orElse(null) == NodeRole.PRIMARY_ALONE);
      long liveAt = System.currentTimeMillis();
      await("the same connection commits again after the kill")
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> TransactionLog.read(transcript).acksAfter(faultAt) >= ACKS_AFTER);
      Files.writeString(stop, "stop");
      await("the client's final count over the same connection")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> TransactionLog.read(transcript).finished());

      TransactionLog result = TransactionLog.read(transcript);
      assertThat(result.error()).as("client error").isNull();
      assertThat(result.endPid())
          .as("same server backend: same connection")
          .isEqualTo(result.startPid());
      long lastAcked = result.acks().size();
      assertThat(result.acksContiguous()).as("acknowledged 1..n in order").isTrue();
      assertThat(result.rows())
          .as("acknowledged transactions in the table after the failover (lost = acked - rows)")
          .isEqualTo(lastAcked);
      assertThat(result.maxRow()).isEqualTo(lastAcked);
      measured.put("faultToLiveRoleMillis", liveAt - faultAt);
      measured.put("commitGapAcrossFaultMillis", result.gapAround(faultAt));
      measured.put("acknowledged", lastAcked);
      measured.put("lost", lastAcked - result.rows());
      measured.put("commitsPerSecondBefore", result.ratePerSecondBefore(faultAt));
      measured.put("nodeStateDirBytesAtEnd", nodeStateBytes(harness));
      measured.put(
          "survivorLogBytesPerSecond", harness.status(LocalPair.BACKUP).logBytesPerSecond());
      measured.put("survivorRole", harness.pair().roleLine(LocalPair.BACKUP));
      log.info("measured {}", measured);
    }
    FileTrees.deleteTree(work);
  }

  private record Run(
      String console,
      String diskDigest,
      long readyMillis,
      long logBytesAtReady,
      long logBytesAtEnd,
      long wallMillis) {}

  /**
   * Boots a sparse copy of the disk; record and plain runs stop {@code idleAfterReady} after the
   * ready line, a replay runs to the end of its log.
   */
  private Run run(String mode, ReplaySpec replay, Duration idleAfterReady) throws Exception {
    Path run = Files.createDirectories(dir.resolve(mode));
    Path disk = run.resolve("debian.img");
    new SparseImageCopy().copy(debian.disks().get(0).file(), disk);
    VmLaunchSpec spec =
        VmLaunchSpec.builder()
            .name("debian-" + mode)
            .qemuBinary(qemu)
            .memoryMib(debian.memoryMib())
            .devices(new GuestDevicesMapping().devices(debian, List.of(disk)))
            .replay(replay)
            .qmpSocket(run.resolve("qmp.sock"))
            .console(ConsoleSpec.file(run.resolve("console.log")))
            .netdevSocket(run.resolve("net.sock"))
            .qemuLog(run.resolve("qemu.log"))
            .startupTimeout(Duration.ofSeconds(60))
            .build();
    Path console = spec.console().path();
    long readyMillis = -1;
    long logAtReady = -1;
    long started = System.nanoTime();
    try (NetdevConnection nic = NetdevConnection.bind(spec.netdevSocket())) {
      discardFrames(nic);
      try (VmInstance instance = new QemuDriver(launcher).launch(spec)) {
        if (replay.mode() == ReplayMode.REPLAY) {
          assertThat(instance.awaitExit(BOOT_LIMIT.plusMinutes(2)))
              .as("replay reached the end")
              .isTrue();
          assertThat(instance.exitValue()).as("replay exit status").hasValue(0);
        } else {
          await(mode + ": " + READY)
              .atMost(BOOT_LIMIT)
              .pollInterval(Duration.ofMillis(200))
              .until(() -> Files.readString(console, StandardCharsets.ISO_8859_1).contains(READY));
          readyMillis = (System.nanoTime() - started) / 1_000_000;
          logAtReady = replay.isActive() ? Files.size(replay.rrfile()) : 0;
          Thread.sleep(idleAfterReady.toMillis()); // measuring an idle guest: time is the point
          instance.shutdown(Duration.ofSeconds(20));
        }
      }
    }
    long wallMillis = (System.nanoTime() - started) / 1_000_000;
    long logAtEnd = replay.mode() == ReplayMode.RECORD ? Files.size(replay.rrfile()) : 0;
    return new Run(
        Files.readString(console, StandardCharsets.ISO_8859_1),
        new ImageDigest().of(disk),
        readyMillis,
        logAtReady,
        logAtEnd,
        wallMillis);
  }

  /** Disk space each node's state directory takes (allocated, so holes do not count). */
  private static Map<String, Long> nodeStateBytes(PairHarness harness) throws IOException {
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (String node : List.of(LocalPair.PRIMARY, LocalPair.BACKUP)) {
      bytes.put(node, allocatedBytes(harness.pair().config().node(node).stateDirectory()));
    }
    return bytes;
  }

  private static long allocatedBytes(Path directory) throws IOException {
    long total = 0;
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        try {
          total += SparseImageCopy.allocatedBytes(file);
        } catch (IOException gone) {
          // a log file rolled away while we counted
        }
      }
    }
    return total;
  }

  private static void discardFrames(NetdevConnection nic) {
    Thread thread =
        new Thread(
            () -> {
              try {
                while (true) {
                  nic.readFrame();
                }
              } catch (IOException e) {
                // the guest's NIC closed: QEMU is gone
              }
            },
            "nic-discard");
    thread.setDaemon(true);
    thread.start();
  }

  /** {@link TransactionClient}'s transcript. */
  record TransactionLog(
      long startPid, List<long[]> acks, long endPid, long rows, long maxRow, String error) {
    static final int PORT = 5432;

    static TransactionLog read(Path transcript) throws IOException {
      long startPid = -1;
      long endPid = -1;
      long rows = -1;
      long max = -1;
      String error = null;
      List<long[]> acks = new ArrayList<>();
      if (!Files.exists(transcript)) {
        return new TransactionLog(-1, acks, -1, -1, -1, null);
      }
      for (String line : Files.readAllLines(transcript, StandardCharsets.UTF_8)) {
        String[] w = line.split(" ");
        switch (w[0]) {
          case "START" -> startPid = Long.parseLong(w[1].substring("pid=".length()));
          case "ACK" -> {
            if (w.length == 3) { // a line being written may be cut
              acks.add(new long[] {Long.parseLong(w[1]), Long.parseLong(w[2])});
            }
          }
          case "END" -> {
            endPid = Long.parseLong(w[1].substring("pid=".length()));
            rows = Long.parseLong(w[2].substring("rows=".length()));
            max = Long.parseLong(w[3].substring("max=".length()));
          }
          case "ERROR" -> error = line;
          default -> {}
        }
      }
      return new TransactionLog(startPid, acks, endPid, rows, max, error);
    }

    boolean finished() {
      return endPid >= 0 || error != null;
    }

    long acksAfter(long millis) {
      return acks.stream().filter(a -> a[1] > millis).count();
    }

    boolean acksContiguous() {
      for (int i = 0; i < acks.size(); i++) {
        if (acks.get(i)[0] != i + 1) {
          return false;
        }
      }
      return true;
    }

    /** From the last commit acknowledged before {@code millis} (the fault) to the first after. */
    long gapAround(long millis) {
      for (int i = 1; i < acks.size(); i++) {
        if (acks.get(i)[1] > millis) {
          return acks.get(i)[1] - acks.get(i - 1)[1];
        }
      }
      return -1;
    }

    double ratePerSecondBefore(long millis) {
      List<long[]> before = acks.stream().filter(a -> a[1] <= millis).toList();
      if (before.size() < 2) {
        return 0;
      }
      long span = before.get(before.size() - 1)[1] - before.get(0)[1];
      return span == 0 ? 0 : (before.size() - 1) * 1000.0 / span;
    }
  }
}
