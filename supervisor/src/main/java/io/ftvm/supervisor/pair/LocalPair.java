package io.ftvm.supervisor.pair;

import io.ftvm.channel.PairCertificateAuthority;
import io.ftvm.lock.SharedDirectoryArbiter;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.topology.HostRole;
import io.ftvm.supervisor.topology.PairTopology;
import io.ftvm.supervisor.topology.TopologySpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pair on this machine: hosts A and B (and a client) as network namespaces, a shared directory as
 * shared storage, and one supervisor daemon per host running inside its namespace. What {@code ftvm
 * start --pair} runs, and what the end-to-end tests drive.
 */
public final class LocalPair implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LocalPair.class);
  public static final String PRIMARY = "a";
  public static final String BACKUP = "b";

  /** The spare node's id (host namespace {@code ftvm-ID-s}), in a pair started with one. */
  public static final String SPARE = "s";

  private static final int CHANNEL_PORT = 7400;

  private final Path stateDirectory;
  private final PairConfig config;
  private final PairTopology topology;
  private final Map<String, Process> daemons;

  private LocalPair(
      Path stateDirectory, PairConfig config, PairTopology topology, Map<String, Process> daemons) {
    this.stateDirectory = stateDirectory;
    this.config = config;
    this.topology = topology;
    this.daemons = daemons;
  }

  /**
   * @param stateDirectory everything of this pair goes here (one subdirectory per node)
   * @param testVm directory with vm.json, vmlinuz, initrd.img, disk.img (test-vms/build.sh)
   * @param workload the guest workload (kernel command line ftvm.workload=)
   * @param qemuBinary the patched QEMU
   * @param detectionTimeout silence after which a peer counts as lost
   * @param daemonLauncher starts the daemons; a {@link ChildProcessLauncher} ties them to this JVM
   *     (tests), plain ProcessBuilder leaves them running after the CLI exits
   */
  public static LocalPair start(
      Path stateDirectory,
      Path testVm,
      String workload,
      Path qemuBinary,
      Duration detectionTimeout,
      DaemonLauncher daemonLauncher)
      throws IOException, InterruptedException {
    return start(
        stateDirectory,
        new TestVmGuest(testVm, workload),
        qemuBinary,
        detectionTimeout,
        UnaryOperator.identity(),
        daemonLauncher,
        false);
  }

  /**
   * As above, for any guest: the test VM ({@link TestVmGuest}) or a described VM; with the pair's
   * timing adjusted by {@code tuneTiming} (e.g. another replay lag bound) after it was derived from
   * the detection timeout; {@code unprotected}: only host A's daemon starts, its VM runs alone
   * (protectable), and host B stays idle until {@link #rejoin} (what {@code ftvm protect} does)
   * starts it.
   */
  public static LocalPair start(
      Path stateDirectory,
      PairGuest guest,
      Path qemuBinary,
      Duration detectionTimeout,
      UnaryOperator<PairConfig.Timing> tuneTiming,
      DaemonLauncher daemonLauncher,
      boolean unprotected)
      throws IOException, InterruptedException {
    return start(
        stateDirectory,
        guest,
        qemuBinary,
        detectionTimeout,
        tuneTiming,
        daemonLauncher,
        unprotected,
        ArbiterAttachment.sharedDirectory());
  }

  /**
   * As above; {@code arbiter} chooses the go-live arbiter once the hosts exist (default: a shared
   * directory in the state directory; e.g. {@link ZooKeeperSwitchAttachment} for a ZooKeeper
   * ensemble in network namespaces on this machine).
   */
  public static LocalPair start(
      Path stateDirectory,
      PairGuest guest,
      Path qemuBinary,
      Duration detectionTimeout,
      UnaryOperator<PairConfig.Timing> tuneTiming,
      DaemonLauncher daemonLauncher,
      boolean unprotected,
      ArbiterAttachment arbiter)
      throws IOException, InterruptedException {
    return start(
        stateDirectory,
        guest,
        qemuBinary,
        detectionTimeout,
        tuneTiming,
        daemonLauncher,
        unprotected,
        arbiter,
        false);
  }

  /**
   * As above; {@code withSpare}: a third host (namespace {@code ftvm-ID-s}) is named in the config
   * as spare {@link #SPARE}, with its certificate, an empty disk image of the guest's disk size and
   * its state directory; its daemon is not started ({@link #startSpare} does that).
   */
  public static LocalPair start(
      Path stateDirectory,
      PairGuest guest,
      Path qemuBinary,
      Duration detectionTimeout,
      UnaryOperator<PairConfig.Timing> tuneTiming,
      DaemonLauncher daemonLauncher,
      boolean unprotected,
      ArbiterAttachment arbiter,
      boolean withSpare)
      throws IOException, InterruptedException {
    Files.createDirectories(stateDirectory);
    String pairId = TopologySpec.randomPairId();
    log.info("creating hosts for pair {} (network namespaces ftvm-{}-*)", pairId, pairId);
    TopologySpec spec = TopologySpec.defaults(pairId);
    PairTopology topology = PairTopology.create(withSpare ? spec.withSpare() : spec);
    try {
      PairConfig config =
          writeConfig(
              stateDirectory,
              guest,
              qemuBinary,
              detectionTimeout,
              tuneTiming,
              topology,
              arbiter.attach(topology));
      Map<String, Process> daemons = new java.util.LinkedHashMap<>();
      LocalPair pair = new LocalPair(stateDirectory, config, topology, daemons);
      if (unprotected) {
        daemons.put(
            PRIMARY,
            daemonLauncher.launch(
                pair.daemonCommand(PRIMARY, "--unprotected"), pair.daemonLog(PRIMARY)));
        pair.awaitRole(PRIMARY, r -> r == NodeRole.PRIMARY_ALONE, Duration.ofSeconds(180));
        pair.writeRecord();
        log.info("pair {} running UNPROTECTED on host a (host b idle)", pairId);
        return pair;
      }
      // The backup listens on the logging channel, so it starts first.
      daemons.put(
          BACKUP, daemonLauncher.launch(pair.daemonCommand(BACKUP), pair.daemonLog(BACKUP)));
      pair.awaitRole(BACKUP, r -> r == NodeRole.BACKUP_REPLAYING, Duration.ofSeconds(60));
      daemons.put(
          PRIMARY, daemonLauncher.launch(pair.daemonCommand(PRIMARY), pair.daemonLog(PRIMARY)));
      pair.awaitRole(
          PRIMARY,
          r -> r == NodeRole.PRIMARY_PROTECTED || r == NodeRole.PRIMARY_ALONE,
          Duration.ofSeconds(180));
      if (pair.roleOf(PRIMARY).orElse(null) == NodeRole.PRIMARY_ALONE) {
        // E.g. the backup refused to pair (its disks differ): say so now, not after a timeout.
        throw new IOException(
            "the pair did not become protected: node a is "
                + pair.roleLine(PRIMARY)
                + "; node b is "
                + pair.roleLine(BACKUP));
      }
      pair.writeRecord();
      log.info("pair {} protected: primary on host a, backup on host b", pairId);
      return pair;
    } catch (IOException | InterruptedException | RuntimeException e) {
      topology.close();
      throw e;
    }
  }

  /** {@code local-pair.json}: what {@code ftvm stop/status/rejoin} find the pair by. */
  private void writeRecord() throws IOException {
    Map<String, Long> pids = new java.util.TreeMap<>();
    daemons.forEach((node, process) -> pids.put(node, process.pid()));
    PairConfig.mapper()
        .writeValue(
            stateDirectory.resolve("local-pair.json").toFile(),
            Map.of(
                "pairId", topology.pairId(),
                "namespaces", topology.spec().namespaces(),
                "daemonPids", pids));
  }

  /** Where each node's daemon serves Prometheus metrics inside its namespace. */
  public static final int METRICS_PORT = 9464;

  private static PairConfig writeConfig(
      Path state,
      PairGuest guest,
      Path qemuBinary,
      Duration detectionTimeout,
      UnaryOperator<PairConfig.Timing> tuneTiming,
      PairTopology topology,
      ArbiterSpec arbiter)
      throws IOException {
    log.info("pair guest: {}", guest.describe());
    // The logging channel is mutual TLS, as on real hosts: one small CA, a certificate per node.
    Path tls = state.resolve("tls");
    PairCertificateAuthority ca =
        PairCertificateAuthority.create(
            topology.pairId(), PairCertificateAuthority.DEFAULT_VALIDITY);
    boolean spare = topology.spec().hasSpare();
    List<String> nodeIds = spare ? List.of(PRIMARY, BACKUP, SPARE) : List.of(PRIMARY, BACKUP);
    ChannelCredentialFiles.write(
        tls,
        ca,
        false,
        nodeIds.stream()
            .map(id -> ca.issue(id, PairCertificateAuthority.DEFAULT_VALIDITY))
            .toArray(PairCertificateAuthority.IssuedCertificate[]::new));
    Path shared = Files.createDirectories(state.resolve("shared"));
    SharedDirectoryArbiter.initializeStorage(shared);
    Map<String, PairConfig.NodeSpec> nodes = new java.util.TreeMap<>();
    for (String node : List.of(PRIMARY, BACKUP)) {
      HostRole host = hostOf(node);
      Path dir = state.resolve(node);
      Files.createDirectories(dir);
      Path disk = guest.copyDisksInto(dir).get(0);
      nodes.put(
          node,
          new PairConfig.NodeSpec(
              dir,
              disk,
              topology.loggingAddress(host).address(),
              CHANNEL_PORT,
              "tap0",
              topology.hostBridge()));
    }
    Map<String, PairConfig.NodeSpec> spares = new java.util.TreeMap<>();
    if (spare) {
      spares.put(SPARE, spareNode(state, nodes.get(PRIMARY).disk(), topology));
    }
    PairConfig.Timing defaults = PairConfig.Timing.defaults();
    PairConfig config =
        new PairConfig(
            "vm-" + topology.pairId(),
            1,
            PRIMARY,
            qemuBinary.toAbsolutePath(),
            guest.spec(topology.guestAddress().cidr(), topology.guestMac()),
            nodes,
            shared,
            null,
            tuneTiming.apply(
                new PairConfig.Timing(
                    // A gap is one interval plus whatever stalled; a shorter interval leaves more
                    // of the timeout for the stall, so keep the default unless it is very short.
                    Math.min(
                        defaults.heartbeatMillis(), Math.max(20, detectionTimeout.toMillis() / 5)),
                    detectionTimeout.toMillis(),
                    defaults.maxUnackedBytes(),
                    defaults.maxLagMillis(),
                    defaults.maxReplayBacklogBytes(),
                    defaults.goLiveDeadlineMillis(),
                    defaults.maxReplayLagMillis(),
                    defaults.replayStallMillis())),
            null,
            tls,
            null,
            // Each daemon runs in its own namespace: the same address serves both.
            "0.0.0.0:" + METRICS_PORT,
            arbiter,
            spares);
    config.write(state.resolve("pair.json"));
    return config;
  }

  /**
   * The spare host holds no copy of the guest: only an empty (sparse) image of its disk's size,
   * which the clone fills. As an admin would prepare it ({@code truncate -s SIZE disk.img}).
   */
  private static PairConfig.NodeSpec spareNode(Path state, Path primaryDisk, PairTopology topology)
      throws IOException {
    Path dir = Files.createDirectories(state.resolve(SPARE));
    Path disk = dir.resolve(primaryDisk.getFileName());
    try (java.io.RandomAccessFile image = new java.io.RandomAccessFile(disk.toFile(), "rw")) {
      image.setLength(Files.size(primaryDisk));
    }
    return new PairConfig.NodeSpec(
        dir,
        disk,
        topology.loggingAddress(HostRole.SPARE).address(),
        CHANNEL_PORT,
        "tap0",
        topology.hostBridge());
  }

  /** The host (namespace) a node of this pair runs on. */
  private static HostRole hostOf(String node) {
    return switch (node) {
      case PRIMARY -> HostRole.A;
      case SPARE -> HostRole.SPARE;
      default -> HostRole.B;
    };
  }

  /** Starts a supervisor daemon as a process; where its output goes is up to the launcher. */
  @FunctionalInterface
  public interface DaemonLauncher {
    Process launch(List<String> command, Path logFile) throws IOException;

    /** Daemons that outlive the CLI that started them. */
    static DaemonLauncher detached() {
      return (command, logFile) ->
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .start();
    }

    /** Daemons that die with this JVM (tests). */
    static DaemonLauncher tiedTo(ChildProcessLauncher launcher) {
      return (command, logFile) ->
          launcher.start(
              new ProcessBuilder(command)
                  .redirectErrorStream(true)
                  .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())));
    }
  }

  List<String> daemonCommand(String node, String... options) {
    HostRole host = hostOf(node);
    return daemonCommand(
        topology.hostNamespace(host), stateDirectory.resolve("pair.json"), node, options);
  }

  /**
   * The command that runs {@code node}'s daemon inside {@code namespace} with this JVM's java and
   * class path (so a restarted daemon runs the same build as the CLI or test that restarts it).
   */
  public static List<String> daemonCommand(
      String namespace, Path pairConfig, String node, String... options) {
    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Xm")) {
        command.add(arg);
      }
    }
    command.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "io.ftvm.supervisor.cli.FtvmCommand",
            "daemon",
            "--config",
            pairConfig.toString(),
            "--node",
            node));
    command.addAll(List.of(options));
    return command;
  }

  /**
   * Restarts a node's daemon after it was killed, as an init system would on a real host: in the
   * node's namespace (which must still exist), with {@code --join}, so it discards its old disk
   * copy and log and joins the running primary as a new backup. Returns once it is JOINING (or
   * further).
   */
  public Process rejoin(String node, DaemonLauncher launcher)
      throws IOException, InterruptedException {
    return startJoining(node, launcher, "--join");
  }

  /**
   * Starts the spare host's daemon, as its admin would ({@code ftvm start --config pair.json --node
   * s}, no {@code --join}: a spare always starts empty). Returns once it is JOINING (or further):
   * it offers itself and waits for an alone primary to clone into it.
   */
  public Process startSpare(DaemonLauncher launcher) throws IOException, InterruptedException {
    if (!config.spares().containsKey(SPARE)) {
      throw new IllegalStateException("this pair was started without a spare host");
    }
    return startJoining(SPARE, launcher);
  }

  private Process startJoining(String node, DaemonLauncher launcher, String... options)
      throws IOException, InterruptedException {
    Process previous = daemons.get(node);
    if (previous != null && previous.isAlive()) {
      throw new IOException("node " + node + "'s daemon still runs (pid " + previous.pid() + ")");
    }
    // The dead daemon's role file would answer for the new one.
    Files.deleteIfExists(config.node(node).stateDirectory().resolve("role"));
    Process daemon = launcher.launch(daemonCommand(node, options), daemonLog(node));
    daemons.put(node, daemon);
    writeRecord();
    log.info("started node {}'s daemon (pid {}) to join empty", node, daemon.pid());
    awaitRole(
        node,
        r -> r == NodeRole.JOINING || r == NodeRole.CLONING || r == NodeRole.BACKUP_REPLAYING,
        Duration.ofSeconds(60));
    return daemon;
  }

  private Path daemonLog(String node) {
    return config.node(node).stateDirectory().resolve("supervisor.log");
  }

  public PairConfig config() {
    return config;
  }

  public PairTopology topology() {
    return topology;
  }

  public Path stateDirectory() {
    return stateDirectory;
  }

  public ControlClient control(String node) {
    return new ControlClient(config.node(node).stateDirectory().resolve("control.sock"));
  }

  /** The role file survives the daemon, so this works for a killed host too. */
  public Optional<NodeRole> roleOf(String node) {
    try {
      String line = Files.readString(config.node(node).stateDirectory().resolve("role")).trim();
      return Optional.of(NodeRole.valueOf(line.split(" ", 2)[0]));
    } catch (IOException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  public String roleLine(String node) {
    try {
      return Files.readString(config.node(node).stateDirectory().resolve("role")).trim();
    } catch (IOException e) {
      return "unknown";
    }
  }

  public Path consoleLog(String node) {
    return config.node(node).stateDirectory().resolve("console.log");
  }

  public Process daemon(String node) {
    return daemons.get(node);
  }

  public void awaitRole(String node, Predicate<NodeRole> wanted, Duration timeout)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<NodeRole> role = roleOf(node);
      if (role.isPresent() && wanted.test(role.get())) {
        return;
      }
      if (role.orElse(null) == NodeRole.HALTED) {
        break;
      }
      Process daemon = daemons.get(node);
      if (daemon != null && !daemon.isAlive()) {
        break;
      }
      Thread.sleep(20);
    }
    throw new IOException(
        "node "
            + node
            + " did not reach the expected role within "
            + timeout
            + "; it is: "
            + roleLine(node)
            + " (see "
            + daemonLog(node)
            + ")");
  }

  /** Stops every daemon (asking first), then removes the hosts. */
  @Override
  public void close() {
    for (String node : config.allNodeIds()) {
      try {
        control(node).request("stop");
      } catch (IOException e) {
        log.debug("stop {}: {}", node, e.getMessage());
      }
    }
    for (Process daemon : daemons.values()) {
      try {
        if (!daemon.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          daemon.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        daemon.destroyForcibly();
      }
    }
    topology.close();
  }
}
