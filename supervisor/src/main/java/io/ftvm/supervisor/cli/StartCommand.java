package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.hypervisor.QemuRequirement;
import io.ftvm.supervisor.hypervisor.QemuVersionCheck;
import io.ftvm.supervisor.hypervisor.QemuVersionMismatchException;
import io.ftvm.supervisor.pair.ArbiterAttachment;
import io.ftvm.supervisor.pair.ArbiterSpec;
import io.ftvm.supervisor.pair.GuestView;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.pair.PairGuest;
import io.ftvm.supervisor.pair.ProbedGuest;
import io.ftvm.supervisor.pair.ZooKeeperSwitchAttachment;
import io.ftvm.supervisor.qmp.QemuVersion;
import io.ftvm.supervisor.topology.HostRole;
import io.ftvm.supervisor.topology.PairTopology;
import io.ftvm.supervisor.topology.TopologyException;
import io.ftvm.supervisor.vm.ReadinessProbe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ftvm start}: either a whole pair on this machine ({@code --pair}: network namespaces as
 * hosts, two daemons that keep running after this command returns), or this host's node of a pair
 * on real hosts ({@code --config pair.json --node a}, in the foreground).
 */
@Command(
    name = "start",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Start a fault-tolerant pair: a primary (recording) and a backup (replaying live) that"
          + " takes over when the primary is lost.",
      "  --pair                    the whole pair on this machine: hosts a, b and a client as"
          + " network namespaces, daemons in the background; returns once the pair is"
          + " protected: both nodes up and the backup's replay within its lag bound"
          + " (\"catching up (lag N ms)\" until then).",
      "  --config F --node a|b     this host's node of a pair on real hosts, in the"
          + " foreground (what an init system runs).",
      "Exit status: 0 when the pair is protected, 1 if it could not be started or did not"
          + " become protected (its daemons are then left running for inspection)."
    })
public final class StartCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(StartCommand.class);
  private static final Duration REPORT_EVERY = Duration.ofSeconds(5);
  private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration GUEST_UP_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration MIN_DETECTION_TIMEOUT = Duration.ofMillis(50);
  private static final int GUEST_COUNTER_PORT = 7000;

  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Option(names = "--pair", description = "Run the whole pair on this machine.")
  boolean pair;

  @Option(
      names = "--unprotected",
      description =
          "Run the VM alone (protectable) on host a (--pair: host b idle) or, with --config, on"
              + " the config's primary node without waiting for its peer; 'ftvm protect', or the"
              + " peer started with --join, protects it later without a reboot.")
  boolean unprotected;

  @Option(
      names = "--join",
      description =
          "With --config: start with no replica (discard this node's disk copy and logs) and join"
              + " the running primary as its new backup; the primary clones its running VM, disk"
              + " included, here.")
  boolean join;

  @Option(
      names = "--config",
      paramLabel = "<file>",
      description = "Pair config (JSON) of a pair on real hosts; needs --node.")
  Path config;

  @Option(
      names = "--node",
      paramLabel = "<a|b>",
      description = "With --config: which node of the config this host is.")
  String node;

  @Option(
      names = "--vm",
      paramLabel = "<dir|vm.json>",
      description =
          "With --pair: the VM: a VM description (format 2, see 'ftvm vm check'; its disks,"
              + " boot, MAC, NIC model, memory and ready line are honoured, each node runs sparse"
              + " copies of its disks) or the test VM (directory with vm.json, vmlinuz,"
              + " initrd.img, disk.img). Default: the test VM, $FTVM_TESTVM, else what"
              + " test-vms/build.sh builds.")
  Path vm;

  @Option(
      names = "--ready-port",
      paramLabel = "<port>",
      description =
          "With --pair: the guest is up once this TCP port on its IP address (configured, or"
              + " learned from its traffic) accepts a connection from the primary's host. Decides"
              + " only when start reports \"guest up\", never whether the pair is protected."
              + " Overrides the VM's readiness probe or ready line.")
  Integer readyPort;

  @Option(
      names = "--ready-console",
      paramLabel = "<regex>",
      description =
          "With --pair: the guest is up once a console line matches this regular expression"
              + " (e.g. 'login: ?$'). Like --ready-port, it decides only \"guest up\".")
  String readyConsole;

  @Option(
      names = "--workload",
      defaultValue = "idle",
      description =
          "With --pair: guest workload: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}.")
  Workload workload;

  @Option(
      names = "--qemu",
      paramLabel = "<path>",
      description =
          "With --pair: the patched QEMU 10.0.13+ftvm. Default: $FTVM_QEMU, else what"
              + " qemu-patches/build.sh builds.")
  Path qemu;

  @Mixin StateDirOption stateDir;

  @Option(
      names = "--detection-timeout",
      paramLabel = "<duration>",
      defaultValue = PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS + "ms",
      converter = DurationConverter.class,
      description =
          "With --pair: declare the peer lost after this long without heartbeats or log"
              + " traffic (e.g. 500ms, 2s). Default: ${DEFAULT-VALUE}.")
  Duration detectionTimeout;

  @Option(
      names = "--max-replay-lag",
      paramLabel = "<duration>",
      converter = DurationConverter.class,
      description =
          "With --pair: the backup acknowledges log only while its replay is at most this far"
              + " behind, which throttles a primary that runs ahead and bounds the replay a"
              + " failover needs (e.g. 300ms). Default: 300ms.")
  Duration maxReplayLag;

  @Option(
      names = "--zookeeper",
      paramLabel = "<host:port,...>",
      description =
          "With --pair: decide go-live on this ZooKeeper ensemble instead of a shared directory"
              + " (needs --zookeeper-switch so the pair's hosts can reach it).")
  String zooKeeper;

  @Option(
      names = "--zookeeper-switch",
      paramLabel = "<namespace>",
      description =
          "With --zookeeper: the network namespace whose bridge br0 the ensemble's members are on;"
              + " hosts a and b join it as .201 and .202 of the members' /24.")
  String zooKeeperSwitch;

  @Option(
      names = "--storage-timeout",
      paramLabel = "<duration>",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description =
          "With --config: how long shared storage may take to answer before it counts as"
              + " unreachable. Default: ${DEFAULT-VALUE}.")
  Duration storageTimeout;

  @Option(
      names = "--if-stale",
      defaultValue = "join",
      paramLabel = "<join|exit>",
      description =
          "With --config: what this node does when its state is stale (it already ran the"
              + " config's epoch, or the pair moved on without it): join the running primary"
              + " as its new backup, or exit with status 3 (what the systemd unit asks)."
              + " Default: ${DEFAULT-VALUE}.")
  DaemonCommand.StalePolicy ifStale = DaemonCommand.StalePolicy.join;

  @Override
  public Integer call() throws Exception {
    try {
      return start();
    } catch (IOException | TopologyException | IllegalArgumentException e) {
      // Expected trouble (a missing file, a daemon that went away): a message, not a stack trace.
      return CliErrors.fail(spec, e.getMessage());
    }
  }

  private int start() throws Exception {
    validateMode();
    return config != null ? runThisHostsNode() : startLocalPair();
  }

  private void validateMode() {
    CommandLine commandLine = spec.commandLine();
    CommandLine.ParseResult parsed = commandLine.getParseResult();
    if (pair && config != null) {
      throw new CommandLine.ParameterException(
          commandLine,
          "--pair (a pair on this machine) and --config (a node on a real host) exclude each"
              + " other");
    }
    if (!pair && config == null) {
      throw new CommandLine.ParameterException(
          commandLine,
          "say what to start: --pair (a whole pair on this machine) or --config <file> --node"
              + " <a|b> (this host's node of a pair on real hosts)");
    }
    if (config != null && node == null) {
      throw new CommandLine.ParameterException(
          commandLine, "--config needs --node: which node of " + config + " this host is");
    }
    if (join && unprotected) {
      throw new CommandLine.ParameterException(
          commandLine,
          "--join (become the backup of the running primary) and --unprotected (run the VM"
              + " alone) exclude each other");
    }
    if (pair) {
      for (String hostOnly : List.of("--node", "--storage-timeout", "--if-stale", "--join")) {
        if (parsed.hasMatchedOption(hostOnly)) {
          throw new CommandLine.ParameterException(
              commandLine, hostOnly + " only applies with --config (a node on a real host)");
        }
      }
      if ((zooKeeper == null) != (zooKeeperSwitch == null)) {
        throw new CommandLine.ParameterException(
            commandLine,
            "--zookeeper and --zookeeper-switch go together: the ensemble, and the namespace whose"
                + " br0 the pair's hosts join to reach it");
      }
      if (readyPort != null && readyConsole != null) {
        throw new CommandLine.ParameterException(
            commandLine, "--ready-port and --ready-console exclude each other: give one probe");
      }
      try {
        readinessProbe();
      } catch (IllegalArgumentException e) {
        throw new CommandLine.ParameterException(commandLine, e.getMessage());
      }
      if (zooKeeper != null) {
        try {
          ArbiterSpec.zooKeeper(zooKeeper).validate();
        } catch (IllegalArgumentException e) {
          throw new CommandLine.ParameterException(commandLine, "--zookeeper: " + e.getMessage());
        }
      }
      if (detectionTimeout.compareTo(MIN_DETECTION_TIMEOUT) < 0) {
        throw new CommandLine.ParameterException(
            commandLine,
            "--detection-timeout "
                + detectionTimeout.toMillis()
                + "ms is too short: heartbeats cannot be that frequent; use at least "
                + MIN_DETECTION_TIMEOUT.toMillis()
                + "ms");
      }
    } else {
      for (String pairOnly :
          List.of(
              "--vm",
              "--workload",
              "--qemu",
              "--detection-timeout",
              "--state-dir",
              "--ready-port",
              "--ready-console",
              "--zookeeper",
              "--zookeeper-switch")) {
        if (parsed.hasMatchedOption(pairOnly)) {
          throw new CommandLine.ParameterException(
              commandLine,
              pairOnly + " only applies with --pair; with --config it comes from " + config);
        }
      }
    }
  }

  /** The probe given on the command line, if any (it overrides the VM's). */
  private Optional<ReadinessProbe> readinessProbe() {
    if (readyPort != null) {
      return Optional.of(ReadinessProbe.tcp(readyPort));
    }
    return Optional.ofNullable(readyConsole).map(ReadinessProbe::console);
  }

  /** The same thing {@code ftvm daemon} does; kept in one place. */
  private int runThisHostsNode() throws Exception {
    DaemonCommand daemon = new DaemonCommand();
    daemon.config = config;
    daemon.node = node;
    daemon.storageTimeout = storageTimeout;
    daemon.ifStale = ifStale;
    daemon.unprotected = unprotected;
    daemon.join = join;
    return daemon.call();
  }

  private int startLocalPair() throws Exception {
    PairStateDirectory directory = PairStateDirectory.at(stateDir.stateDir());
    String busy = RunningPairCheck.whyBusy(directory);
    if (busy != null) {
      return CliErrors.fail(spec, busy);
    }
    BuildArtifacts artifacts = BuildArtifacts.fromSystemEnvironment();
    PairGuest guest;
    Path qemuBinary;
    QemuVersion qemuVersion;
    try {
      guest =
          PairGuestChoice.of(
              resolve(vm, "FTVM_TESTVM", artifacts, BuildArtifacts.TEST_VM_SCRIPT),
              workload,
              spec.commandLine().getParseResult().hasMatchedOption("--workload"));
      Optional<ReadinessProbe> probe = readinessProbe();
      if (probe.isPresent()) {
        guest = new ProbedGuest(guest, probe.get());
      }
      qemuBinary = resolve(qemu, "FTVM_QEMU", artifacts, BuildArtifacts.QEMU_SCRIPT);
      qemuVersion = new QemuVersionCheck(QemuRequirement.patchedFtvm()).verify(qemuBinary);
    } catch (IOException | QemuVersionMismatchException e) {
      return CliErrors.fail(spec, e.getMessage());
    }
    PreviousRun.archive(directory);
    log.info(
        "starting pair in {}: QEMU {} ({}), {}; booting takes 20-60 s",
        directory.root(),
        qemuBinary,
        qemuVersion,
        guest.describe());
    long started = System.nanoTime();
    LocalPair localPair;
    try {
      localPair = startWithProgress(directory, guest, qemuBinary);
    } catch (IOException e) {
      return CliErrors.fail(spec, "the pair did not come up: " + e.getMessage());
    }
    // The daemons outlive this command, so the namespaces must too; stop removes them.
    if (unprotected) {
      localPair.topology().handOverTo(localPair.daemon(LocalPair.PRIMARY).pid());
      spec.commandLine()
          .getOut()
          .printf(
              "pair %s running UNPROTECTED on host a (host b idle); protect it with 'ftvm"
                  + " protect --state-dir %s'%n",
              localPair.topology().pairId(), directory.root());
      spec.commandLine().getOut().flush();
      return 0;
    }
    localPair.topology().handOverTo(localPair.daemon(LocalPair.BACKUP).pid());
    Optional<String> unprotected = awaitBackupCaughtUp(localPair); // wip-lag
    if (unprotected.isPresent()) {
      return CliErrors.fail(
          spec,
          "pair "
              + localPair.topology().pairId()
              + " is running but NOT protected: "
              + unprotected.get()
              + " (ftvm status / ftvm stop --state-dir "
              + directory.root()
              + ")");
    }
    long protectedMillis = (System.nanoTime() - started) / 1_000_000;
    String guestUp = awaitGuestUp(localPair);
    printSummary(localPair, qemuBinary, qemuVersion, protectedMillis);
    spec.commandLine().getOut().printf("guest: %s%n", guestUp);
    spec.commandLine().getOut().flush();
    return 0;
  }

  /**
   * "Protected" is the pair's state; whether the guest is up is known only from its readiness probe
   * (ready line, console pattern or TCP port). Without one, says so at once; with one, waits for it
   * (a guest that boots slowly is still protected, so a timeout is reported, not failed).
   */
  private String awaitGuestUp(LocalPair localPair) throws InterruptedException {
    long deadline = System.nanoTime() + GUEST_UP_TIMEOUT.toNanos();
    long nextReport = System.nanoTime() + REPORT_EVERY.toNanos();
    String last = "no status";
    while (System.nanoTime() < deadline) {
      try {
        GuestView guest = localPair.control(LocalPair.PRIMARY).status().guest();
        if (guest.readiness() != GuestView.Readiness.BOOTING) {
          return guest.summary();
        }
        last = guest.summary();
      } catch (IOException e) {
        last = e.getMessage();
      }
      if (System.nanoTime() >= nextReport) {
        spec.commandLine().getOut().printf("protected; guest %s%n", last);
        spec.commandLine().getOut().flush();
        nextReport = System.nanoTime() + REPORT_EVERY.toNanos();
      }
      Thread.sleep(200);
    }
    return last + " -- not up within " + GUEST_UP_TIMEOUT.toSeconds() + " s (still protected)";
  }

  /** "protected" only once the backup replays within its lag bound (wip-lag). */
  private Optional<String> awaitBackupCaughtUp(LocalPair localPair) throws InterruptedException {
    BackupCatchUp.Nodes nodes =
        new BackupCatchUp.Nodes() {
          @Override
          public NodeStatus primary() throws IOException {
            return localPair.control(LocalPair.PRIMARY).status();
          }

          @Override
          public NodeStatus backup() throws IOException {
            return localPair.control(LocalPair.BACKUP).status();
          }
        };
    return new BackupCatchUp(
            nodes,
            localPair.config().timing().maxReplayLagMillis(),
            spec.commandLine().getOut(),
            Duration.ofMillis(100),
            Duration.ofSeconds(1))
        .await(CATCH_UP_TIMEOUT);
  }

  private static Path resolve(
      Path given, String environmentVariable, BuildArtifacts artifacts, String script)
      throws IOException, InterruptedException {
    if (given != null) {
      return given.toAbsolutePath();
    }
    String fromEnvironment = System.getenv(environmentVariable);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return Path.of(fromEnvironment).toAbsolutePath();
    }
    return artifacts.build(script);
  }

  private LocalPair startWithProgress(
      PairStateDirectory directory, PairGuest guest, Path qemuBinary) throws Exception {
    CompletableFuture<LocalPair> starting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return LocalPair.start(
                    directory.root(),
                    guest,
                    qemuBinary,
                    detectionTimeout,
                    timing ->
                        maxReplayLag == null
                            ? timing
                            : timing.withMaxReplayLagMillis(maxReplayLag.toMillis()),
                    inOwnSession(),
                    unprotected,
                    zooKeeper == null
                        ? ArbiterAttachment.sharedDirectory()
                        : new ZooKeeperSwitchAttachment(
                            ArbiterSpec.zooKeeper(zooKeeper), zooKeeperSwitch, "br0"));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the pair", e);
              }
            });
    new ProgressWait(log, Duration.ofMillis(100), REPORT_EVERY)
        .until(starting::isDone, Duration.ofDays(1), () -> "waiting: " + roles(directory));
    try {
      return starting.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.io.UncheckedIOException io) {
        throw io.getCause();
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw e;
    }
  }

  private static String roles(PairStateDirectory directory) {
    List<String> parts = new ArrayList<>();
    for (String node : List.of(LocalPair.PRIMARY, LocalPair.BACKUP)) {
      Path roleFile = directory.root().resolve(node).resolve("role");
      String role;
      try {
        role = Files.readString(roleFile).trim().split(" ", 2)[0];
      } catch (IOException e) {
        role = "not started";
      }
      parts.add(node + " " + role);
    }
    return String.join(", ", parts);
  }

  /**
   * Daemons in a session of their own: they survive this command, and a Ctrl-C or hangup of the
   * terminal that ran {@code ftvm start} does not reach them.
   */
  private static LocalPair.DaemonLauncher inOwnSession() {
    return (command, logFile) -> {
      List<String> detached = new ArrayList<>();
      detached.add("setsid");
      detached.addAll(command);
      return LocalPair.DaemonLauncher.detached().launch(detached, logFile);
    };
  }

  private void printSummary(
      LocalPair localPair, Path qemuBinary, QemuVersion qemuVersion, long tookMillis) {
    PairTopology topology = localPair.topology();
    Path state = localPair.stateDirectory().toAbsolutePath();
    String guest = topology.guestAddress().address();
    String client = topology.hostNamespace(HostRole.CLIENT);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("pair %s is protected (up in %.1f s)%n", topology.pairId(), tookMillis / 1000.0);
    out.printf(
        "  primary    node a   %-18s namespace %s   daemon pid %d%n",
        localPair.roleOf(LocalPair.PRIMARY).map(Enum::name).orElse("?"),
        topology.hostNamespace(HostRole.A),
        localPair.daemon(LocalPair.PRIMARY).pid());
    out.printf(
        "  backup     node b   %-18s namespace %s   daemon pid %d%n",
        localPair.roleOf(LocalPair.BACKUP).map(Enum::name).orElse("?"),
        topology.hostNamespace(HostRole.B),
        localPair.daemon(LocalPair.BACKUP).pid());
    out.printf(
        "  client     namespace %s (%s); switches in %s%n",
        client, topology.lanAddress(HostRole.CLIENT).address(), topology.lanNamespace());
    PairConfig.GuestSpec described = localPair.config().vm();
    boolean testGuest = described.description() == null;
    if (testGuest) {
      out.printf("  guest      %s (MAC %s), workload %s%n", guest, topology.guestMac(), workload);
    } else {
      guest = described.ip() == null ? "<guest IP>" : described.ip().split("/")[0];
      out.printf(
          "  guest      %s (MAC %s), described by %s%n",
          described.ip() == null
              ? "IP not configured (ftvm status shows it once the guest used it)"
              : guest,
          described.mac(),
          described.description());
    }
    out.printf("  qemu       %s (%s)%n", qemuBinary, qemuVersion);
    out.printf("  state dir  %s%n", state);
    out.printf(
        "  logs       %s/{a,b}/supervisor.log, consoles %s/{a,b}/console.log%n", state, state);
    out.println();
    out.println("reach the guest from the client host:");
    out.printf("  ip netns exec %s ping %s%n", client, guest);
    if (!testGuest) {
      out.printf(
          "  (the guest is on the pair's LAN, where the client host is %s)%n",
          topology.lanAddress(HostRole.CLIENT).cidr());
    } else if (workload == Workload.net || workload == Workload.all) {
      out.printf(
          "  ip netns exec %s nc %s %d      # counter; echo on 7001, kv on 7002%n",
          client, guest, GUEST_COUNTER_PORT);
    } else {
      out.println("  (the guest's TCP services on ports 7000-7002 run with --workload net or all)");
    }
    out.println();
    out.println("next:");
    String dir = " --state-dir " + state;
    out.println("  ftvm status  " + dir + "     # roles, replication lag, latencies");
    out.println("  ftvm failover" + dir + "     # planned switchover to the backup");
    out.println("  ftvm stop    " + dir + "     # stop both daemons, remove the namespaces");
    out.flush();
  }
}
