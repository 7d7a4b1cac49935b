package io.ftvm.supervisor.cli;

import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.StorageUnavailableException;
import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.metrics.FailoverCounter;
import io.ftvm.supervisor.metrics.MetricsServer;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.pair.AdminAccess;
import io.ftvm.supervisor.pair.Arbitration;
import io.ftvm.supervisor.pair.ControlServer;
import io.ftvm.supervisor.pair.EpochRunRecord;
import io.ftvm.supervisor.pair.GuestDescriptions;
import io.ftvm.supervisor.pair.GuestHardware;
import io.ftvm.supervisor.pair.HypervisorCloning;
import io.ftvm.supervisor.pair.NodeFiles;
import io.ftvm.supervisor.pair.NodeSupervisor;
import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.pair.QemuCloning;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Runs one host's supervisor in the foreground until it is stopped. {@code ftvm start --pair} runs
 * two of these in their namespaces; on real hosts an init system runs one per host.
 */
@Command(
    name = "daemon",
    description = "Run this host's supervisor for one protected VM (foreground).",
    mixinStandardHelpOptions = true)
public final class DaemonCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(DaemonCommand.class);

  @Mixin LoggingMixin logging;

  @Option(names = "--config", required = true, description = "The pair's JSON config file.")
  Path config;

  @Option(
      names = "--node",
      required = true,
      description = "Which node of the config this host is (a, b, or one of its spares).")
  String node;

  @Option(
      names = "--storage-timeout",
      defaultValue = "2s",
      converter = DurationConverter.class,
      description =
          "How long the go-live arbiter (shared storage or ZooKeeper) may take to answer before it counts as unreachable (default ${DEFAULT-VALUE}).")
  Duration storageTimeout;

  @Option(
      names = "--join",
      description =
          "Start with no replica: discard this node's old disk copy and log and join the running"
              + " primary as its new backup (re-protection). Implied when shared storage shows the"
              + " pair moved past the config's epoch.")
  boolean join;

  @Option(
      names = "--unprotected",
      description =
          "The config's primary runs alone (protectable, no backup) until a node joins or"
              + " 'ftvm protect' is run.")
  boolean unprotected;

  @Option(
      names = "--if-stale",
      defaultValue = "join",
      paramLabel = "<join|exit>",
      description =
          "What a node with stale state does (it already ran the config's epoch, or the pair"
              + " moved on without it): join (discard its replica and join the running primary as"
              + " its new backup) or exit with status "
              + STALE_EXIT
              + " and leave it to the admin. Default: ${DEFAULT-VALUE}.")
  StalePolicy ifStale = StalePolicy.join;

  /** See {@link #ifStale}. */
  enum StalePolicy {
    join,
    exit
  }

  /**
   * Exit status of a node that refused to start with stale state ({@code --if-stale exit}); the
   * systemd unit lists it in RestartPreventExitStatus so a refused node is not restarted in a loop.
   */
  static final int STALE_EXIT = 3;

  /** How long a SIGTERM waits for the node to halt and release its resources. */
  private static final Duration SIGTERM_GRACE = Duration.ofSeconds(20);

  @Override
  public Integer call() throws Exception {
    PairConfig pair = GuestDescriptions.read(config);
    // Counted down once everything below is closed: a SIGTERM handler waits for it.
    CountDownLatch cleanedUp = new CountDownLatch(1);
    try (ChildProcessLauncher launcher = new ChildProcessLauncher();
        Arbitration arbitration = Arbitration.open(pair, storageTimeout)) {
      NodeSupervisor.StartMode mode = startMode(pair, arbitration.ledger());
      if (mode == NodeSupervisor.StartMode.JOIN
          && !join
          && !pair.isSpare(node)
          && ifStale == StalePolicy.exit) {
        log.error(
            "node {} of {} has stale state and --if-stale=exit: not starting. Its replica cannot"
                + " rejoin epoch {} (if the peer runs, it runs the VM alone). To make this node a"
                + " backup again see docs/deploy.md (\"Replacing a dead host\")",
            node,
            pair.vmId(),
            pair.epoch());
        return STALE_EXIT;
      }
      try (NodeSupervisor supervisor =
          new NodeSupervisor(
              pair,
              node,
              new QemuDriver(launcher),
              arbitration.arbiter(),
              arbitration.ledger(),
              cloning(pair),
              mode)) {
        log.info("go-live arbiter: {}", arbitration.arbiter().describe());
        // NodeSupervisor writes ran-epoch right before its QEMU starts: a start that fails
        // earlier (bridge missing, disk missing) may be retried by systemd.
        NodeFiles files = NodeFiles.prepare(pair.node(node).stateDirectory(), pair.epoch());
        Thread onSigterm = stopOnSigterm(supervisor, cleanedUp);
        try (ControlServer control =
            ControlServer.start(
                files.controlSocket(), supervisor, AdminAccess.forGroup(pair.adminGroup()))) {
          FailoverCounter failovers = new FailoverCounter();
          supervisor.onRoleChange(failovers);
          supervisor.start();
          log.info("node {} running as {}", node, supervisor.role());
          try (MetricsServer metrics = startMetrics(pair, supervisor, failovers)) {
            supervisor.awaitStopRequested();
          }
          supervisor.awaitHalted(Duration.ofSeconds(15));
        } finally {
          removeHook(onSigterm);
        }
      }
    } finally {
      cleanedUp.countDown();
    }
    return 0;
  }

  /**
   * SIGTERM (systemd's stop, {@code kill}) halts the node as {@code ftvm stop} does: gates closed
   * first, QEMU killed and awaited, then the daemon's resources released by {@link #call}. Without
   * this the JVM would just exit and QEMU die by its parent-death signal, unlogged.
   */
  private static Thread stopOnSigterm(NodeSupervisor supervisor, CountDownLatch cleanedUp) {
    Thread hook =
        new Thread(
            () -> {
              log.info("SIGTERM: stopping this node");
              supervisor.stop();
              try {
                if (!cleanedUp.await(SIGTERM_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                  log.warn("node not cleaned up within {} s of SIGTERM", SIGTERM_GRACE.toSeconds());
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "sigterm-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    return hook;
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down (SIGTERM): the hook is running and waits for us.
    }
  }

  private static HypervisorCloning cloning(PairConfig pair) {
    if (GuestHardware.clonable(pair.vm())) {
      return new QemuCloning();
    }
    log.warn(
        "this VM has more than one disk or a qcow2 disk: re-protection and joining (which clone"
            + " one raw disk) are not available; it is protected only while both nodes run");
    return HypervisorCloning.UNAVAILABLE;
  }

  /** Metrics are observability, not protection: a busy port is a WARN, never a failed node. */
  private static MetricsServer startMetrics(
      PairConfig pair, NodeSupervisor supervisor, FailoverCounter failovers) {
    if (pair.metricsListen() == null || pair.metricsListen().isBlank()) {
      return null;
    }
    try {
      return MetricsServer.start(pair.metricsListen(), supervisor, failovers);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("No metrics endpoint on {}: {}", pair.metricsListen(), e.toString());
      return null;
    }
  }

  /**
   * A node whose config epoch is at or below an epoch already claimed or reserved on shared storage
   * has stale state (it was fenced, or the pair re-protected without it): it must join empty, never
   * resume with its old disk copy and log.
   */
  private NodeSupervisor.StartMode startMode(PairConfig pair, PairingLedger ledger)
      throws StorageUnavailableException, IOException {
    if (join) {
      return NodeSupervisor.StartMode.JOIN;
    }
    if (pair.isSpare(node)) {
      // A spare has no replica to be stale: it always starts empty and offers itself.
      log.info(
          "node {} is a spare of {}: it starts empty and offers itself as the backup of the"
              + " running primary",
          node,
          pair.vmId());
      return NodeSupervisor.StartMode.JOIN;
    }
    long highest = ledger.highestEpoch(pair.vmId());
    long ran = EpochRunRecord.lastRan(pair.node(node).stateDirectory());
    NodeSupervisor.StartMode mode =
        NodeSupervisor.StartMode.choose(false, unprotected, pair.epoch(), Math.max(highest, ran));
    if (mode == NodeSupervisor.StartMode.JOIN) {
      String then = ifStale == StalePolicy.join ? "it joins empty" : "--if-stale=exit";
      if (highest >= pair.epoch()) {
        log.warn(
            "shared storage shows epoch {} of {} was already claimed or reserved (config epoch"
                + " {}): this node's state is stale, {}",
            highest,
            pair.vmId(),
            pair.epoch(),
            then);
      } else {
        log.warn(
            "this node's daemon already ran epoch {} of {} (config epoch {}; {} in its state"
                + " directory) and its VM is gone: its replica cannot resume, {}",
            ran,
            pair.vmId(),
            pair.epoch(),
            "ran-epoch",
            then);
      }
    }
    return mode;
  }
}
