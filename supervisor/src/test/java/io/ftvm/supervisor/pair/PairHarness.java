package io.ftvm.supervisor.pair;

import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.topology.CommandFailedException;
import io.ftvm.supervisor.topology.HostRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A protected pair of the real test VM under the real patched QEMU, on hosts made of network
 * namespaces, plus a client host. Everything it starts dies with it (or with this JVM).
 */
public final class PairHarness implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PairHarness.class);
  public static final int COUNTER_PORT = 7000;
  static final int BULK_PORT = 7003;

  private final ChildProcessLauncher launcher;
  private final LocalPair pair;
  private final Path workDirectory;
  private final List<Process> clients = new ArrayList<>();

  private PairHarness(ChildProcessLauncher launcher, LocalPair pair, Path workDirectory) {
    this.launcher = launcher;
    this.pair = pair;
    this.workDirectory = workDirectory;
  }

  /** The pair of the ITs: QEMU and test VM from {@link TestEnvironment}. */
  public static PairHarness start(Path workDirectory, String workload, Duration detectionTimeout)
      throws Exception {
    return start(
        workDirectory,
        workload,
        detectionTimeout,
        TestEnvironment.qemu(),
        TestEnvironment.testVm());
  }

  /** A pair of any guest (a described VM, or the test VM shaped otherwise) under the ITs' QEMU. */
  public static PairHarness start(Path workDirectory, PairGuest guest, Duration detectionTimeout)
      throws Exception {
    return start(workDirectory, guest, detectionTimeout, TestEnvironment.qemu());
  }

  /** A pair of the given test VM under the given QEMU (tools that take them as options). */
  public static PairHarness start(
      Path workDirectory, String workload, Duration detectionTimeout, Path qemu, Path testVm)
      throws Exception {
    return start(
        workDirectory,
        workload,
        detectionTimeout,
        qemu,
        testVm,
        ArbiterAttachment.sharedDirectory());
  }

  /** As above, with the go-live arbiter chosen by {@code arbiter} (e.g. a ZooKeeper ensemble). */
  public static PairHarness start(
      Path workDirectory,
      String workload,
      Duration detectionTimeout,
      Path qemu,
      Path testVm,
      ArbiterAttachment arbiter)
      throws Exception {
    return start(workDirectory, new TestVmGuest(testVm, workload), detectionTimeout, qemu, arbiter);
  }

  private static PairHarness start(
      Path workDirectory, PairGuest guest, Duration detectionTimeout, Path qemu) throws Exception {
    return start(workDirectory, guest, detectionTimeout, qemu, ArbiterAttachment.sharedDirectory());
  }

  private static PairHarness start(
      Path workDirectory,
      PairGuest guest,
      Duration detectionTimeout,
      Path qemu,
      ArbiterAttachment arbiter)
      throws Exception {
    return start(workDirectory, guest, detectionTimeout, qemu, arbiter, false);
  }

  /**
   * The pair of the ITs with a third host named in the config as spare {@link LocalPair#SPARE} (its
   * daemon not started: {@link #startSpare}).
   */
  public static PairHarness startWithSpare(
      Path workDirectory, String workload, Duration detectionTimeout) throws Exception {
    return start(
        workDirectory,
        new TestVmGuest(TestEnvironment.testVm(), workload),
        detectionTimeout,
        TestEnvironment.qemu(),
        ArbiterAttachment.sharedDirectory(),
        true);
  }

  private static PairHarness start(
      Path workDirectory,
      PairGuest guest,
      Duration detectionTimeout,
      Path qemu,
      ArbiterAttachment arbiter,
      boolean withSpare)
      throws Exception {
    ChildProcessLauncher launcher = new ChildProcessLauncher();
    try {
      LocalPair pair =
          LocalPair.start(
              workDirectory,
              guest,
              qemu,
              detectionTimeout,
              java.util.function.UnaryOperator.identity(),
              LocalPair.DaemonLauncher.tiedTo(launcher),
              false,
              arbiter,
              withSpare);
      return new PairHarness(launcher, pair, workDirectory);
    } catch (Exception e) {
      launcher.close();
      throw e;
    }
  }

  public LocalPair pair() {
    return pair;
  }

  /**
   * Restarts a killed node's daemon (as systemd would) tied to this harness: it joins empty as the
   * new backup. Returns once it is JOINING or further.
   */
  public Process rejoin(String node) throws Exception {
    return pair.rejoin(node, LocalPair.DaemonLauncher.tiedTo(launcher));
  }

  /** Starts the spare host's daemon tied to this harness; returns once it is JOINING or further. */
  public Process startSpare() throws Exception {
    return pair.startSpare(LocalPair.DaemonLauncher.tiedTo(launcher));
  }

  /**
   * Starts a helper process tied to this harness's lifetime (dies with it or with this JVM), e.g. a
   * CPU hog inside a host's namespace.
   */
  public Process startTied(ProcessBuilder builder) throws IOException {
    return launcher.start(builder);
  }

  /**
   * Starts a client on the client host that holds one connection to the guest's counter service,
   * once the guest's service answers.
   */
  public Path startCounterClient(Duration runFor) throws IOException {
    Path transcript = workDirectory.resolve("counter-" + clients.size() + ".txt");
    String guest = awaitGuestService();
    startClient(
        CounterStreamClient.class,
        List.of(
            guest,
            Integer.toString(COUNTER_PORT),
            transcript.toString(),
            Long.toString(runFor.toMillis())),
        "client.log");
    return transcript;
  }

  /**
   * Starts a client on the client host that downloads {@code bytes} from the guest's bulk service
   * over one connection and checks them ({@link BulkDownloadClient}); returns the file its result
   * appears in once the download ended.
   */
  public Path startBulkDownload(long bytes) throws IOException {
    Path result = workDirectory.resolve("bulk-" + clients.size() + ".properties");
    String guest = awaitGuestService();
    startClient(
        BulkDownloadClient.class,
        List.of(guest, Integer.toString(BULK_PORT), Long.toString(bytes), result.toString()),
        "bulk-client.log");
    return result;
  }

  /** Waits until the guest's TCP services answer on the client host; returns the guest's IP. */
  public String awaitGuestService() {
    String guest = pair.topology().guestAddress().address();
    await("guest services reachable from the client host")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> probe(guest));
    return guest;
  }

  /**
   * Starts {@code main} as a JVM of its own on the client host, with this JVM's class path, tied to
   * this harness; its output goes to {@code logName} in the work directory.
   */
  Process startClient(Class<?> main, List<String> args, String logName) throws IOException {
    List<String> javaCommand = new ArrayList<>();
    javaCommand.add(ProcessHandle.current().info().command().orElse("java"));
    javaCommand.add("-cp");
    javaCommand.add(System.getProperty("java.class.path"));
    javaCommand.add(main.getName());
    javaCommand.addAll(args);
    Process client =
        launcher.start(
            new ProcessBuilder(pair.topology().commandIn(HostRole.CLIENT, javaCommand))
                .redirectErrorStream(true)
                .redirectOutput(workDirectory.resolve(logName).toFile()));
    clients.add(client);
    return client;
  }

  /**
   * One connection that must deliver the counter's first bytes within 5 s. Slower is "not yet", not
   * an error: right after boot the backup may still be catching up, and the primary holds the
   * guest's SYN-ACK until the backup acknowledges the log before it (campaign round 95 of the
   * 200-round run failed on exactly this before).
   */
  private boolean probe(String guest) {
    try {
      return probeOnce(guest);
    } catch (CommandFailedException slowOrFailed) {
      log.info("guest service probe: {}", slowOrFailed.getMessage());
      return false;
    }
  }

  private boolean probeOnce(String guest) {
    var result =
        pair.topology()
            .exec(
                HostRole.CLIENT,
                List.of(
                    "bash",
                    "-c",
                    "exec 3<>/dev/tcp/"
                        + guest
                        + "/"
                        + COUNTER_PORT
                        + " && head -c 2 <&3 >/dev/null"),
                Duration.ofSeconds(5));
    return result.exitCode() == 0;
  }

  public NodeStatus status(String node) throws IOException {
    return pair.control(node).status();
  }

  @Override
  public void close() {
    for (Process client : clients) {
      client.destroyForcibly();
    }
    try {
      pair.close();
    } finally {
      launcher.close();
      log.info("pair state kept for inspection in {}", workDirectory);
      try {
        // The disk images are the bulk; logs and consoles stay for a failure's post-mortem.
        for (String node : pair.config().allNodeIds()) {
          Files.deleteIfExists(workDirectory.resolve(node).resolve("disk.img"));
          // A described guest's copies (DescribedGuest): disk-0.img, disk-1.qcow2, ...
          try (var copies = Files.newDirectoryStream(workDirectory.resolve(node), "disk-*")) {
            for (Path copy : copies) {
              Files.deleteIfExists(copy);
            }
          }
        }
      } catch (IOException e) {
        log.debug("cleanup: {}", e.getMessage());
      }
    }
  }
}
