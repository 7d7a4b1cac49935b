package io.ftvm.faults;

import io.ftvm.faults.RoundObservation.Expectation;
import io.ftvm.supervisor.nativeos.LinuxProcess;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.PairFault;
import io.ftvm.supervisor.topology.HostRole;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The faults of the campaign (issue 7), each selectable by its {@link #cliName}. Those the pair ITs
 * already have are {@link PairFault}s and are reused as they are; the timed ones (a stopped
 * process, a link or the storage that comes back) live here, because the campaign also has to know
 * when they ended.
 */
public enum CampaignFault {
  /** No fault: the pair just runs; it must stay protected (no spurious split). */
  NONE("none", Expectation.staysProtected()) {
    @Override
    FaultWindow inject(FaultContext context) throws Exception {
      long start = System.currentTimeMillis();
      Thread.sleep(QUIET_RUN.toMillis());
      return new FaultWindow(start, System.currentTimeMillis());
    }
  },
  KILL_PRIMARY_QEMU("kill-primary-qemu", PairFault.KILL_PRIMARY_QEMU),
  KILL_PRIMARY_DAEMON("kill-primary-daemon", PairFault.KILL_PRIMARY_DAEMON),
  KILL_HOST_A("kill-host-a", PairFault.KILL_PRIMARY_HOST),
  KILL_HOST_B("kill-host-b", PairFault.KILL_BACKUP_HOST),
  /**
   * SIGSTOP of the primary's supervisor and QEMU for twice the detection timeout, then SIGCONT: a
   * long GC pause or a frozen VM host. Either node may end up live, never both.
   */
  STOP_PRIMARY("stop-primary", Expectation.goesLive(null)) {
    @Override
    FaultWindow inject(FaultContext context) throws Exception {
      return context.pause(
          List.of(
              context.daemonPid(context.roles().primary()),
              context.qemuPid(context.roles().primary())),
          context.detectionTimeout().multipliedBy(2));
    }
  },
  /** SIGSTOP of the backup's supervisor (not its QEMU) for twice the detection timeout. */
  STOP_BACKUP("stop-backup", Expectation.goesLive(null)) {
    @Override
    FaultWindow inject(FaultContext context) throws Exception {
      return context.pause(
          List.of(context.daemonPid(context.roles().backup())),
          context.detectionTimeout().multipliedBy(2));
    }
  },
  /** The logging link unplugged at the switch for 3 s, then plugged back in: a partition. */
  LINK_DOWN("link-down", Expectation.goesLive(null)) {
    @Override
    FaultWindow inject(FaultContext context) throws Exception {
      var topology = context.harness().pair().topology();
      long start = System.currentTimeMillis();
      topology.cutLoggingLink();
      try {
        Thread.sleep(OUTAGE.toMillis());
      } finally {
        topology.restoreLoggingLink();
      }
      return new FaultWindow(start, System.currentTimeMillis());
    }
  },
  /**
   * Shared storage read-only for every supervisor (a bind mount remounted read-only in their mount
   * namespaces, which root cannot write through, unlike a chmod), then host A is killed; 3 s later
   * the storage comes back. Nobody can win the test-and-set before that; the backup must win right
   * after.
   */
  STORAGE_UNUSABLE("storage-unusable", new Expectation(true, LocalPair.BACKUP, true)) {
    @Override
    FaultWindow inject(FaultContext context) throws Exception {
      if (context.zooKeeper().isPresent()) {
        return cutHostsOffTheEnsemble(context, context.zooKeeper().get());
      }
      SharedStorageBlock block =
          SharedStorageBlock.readOnly(
              context.harness().pair().config().sharedDirectory(),
              List.of(context.daemonPid(LocalPair.PRIMARY), context.daemonPid(LocalPair.BACKUP)));
      long start;
      try {
        start = System.currentTimeMillis();
        context.harness().pair().topology().killAllProcesses(context.roles().primaryHost());
        Thread.sleep(OUTAGE.toMillis());
      } finally {
        block.restore();
      }
      return new FaultWindow(start, System.currentTimeMillis());
    }
  },
  PLANNED_FAILOVER("planned-failover", PairFault.PLANNED_FAILOVER),
  /**
   * With {@code --arbiter zookeeper} only: the ensemble's leader is SIGKILLed and host A right
   * after it, so the backup's claim meets a leader election. The fault ends when the ensemble has a
   * new leader; the backup must be live within the bound after that.
   */
  KILL_ZK_LEADER_AND_HOST_A(
      "kill-zk-leader-host-a", new Expectation(true, LocalPair.BACKUP, true)) {
    @Override
    FaultWindow inject(FaultContext context) throws Exception {
      CampaignZooKeeper zooKeeper =
          context
              .zooKeeper()
              .orElseThrow(
                  () -> new IllegalStateException(cliName() + " needs --arbiter zookeeper"));
      long start = System.currentTimeMillis();
      int leader = zooKeeper.killLeader();
      context.harness().pair().topology().killAllProcesses(context.roles().primaryHost());
      int next = zooKeeper.cluster().awaitLeader(java.time.Duration.ofSeconds(60));
      long end = System.currentTimeMillis();
      org.slf4j.LoggerFactory.getLogger(CampaignFault.class)
          .info(
              "ZooKeeper leader {} killed, member {} leads after {} ms", leader, next, end - start);
      return new FaultWindow(start, end);
    }

    @Override
    boolean needsZooKeeper() {
      return true;
    }
  },
  /**
   * Two busy loops in host A's and two in host B's namespace for 5 s, on top of the two QEMUs and
   * two supervisors: the "loaded host" of issue 7. The pair must ride it out.
   */
  CPU_STARVED("cpu-starved", Expectation.staysProtected()) {
    @Override
    FaultWindow inject(FaultContext context) throws Exception {
      List<Process> hogs = new ArrayList<>();
      long start = System.currentTimeMillis();
      for (HostRole host : List.of(HostRole.A, HostRole.B)) {
        for (int i = 0; i < HOGS_PER_HOST; i++) {
          hogs.add(
              context
                  .harness()
                  .startTied(
                      new ProcessBuilder(
                              context
                                  .harness()
                                  .pair()
                                  .topology()
                                  .commandIn(
                                      host,
                                      List.of(
                                          "timeout",
                                          Long.toString(STARVATION.toSeconds()),
                                          "sh",
                                          "-c",
                                          "while :; do :; done")))
                          .redirectErrorStream(true)
                          .redirectOutput(ProcessBuilder.Redirect.DISCARD)));
        }
      }
      context.helpers().addAll(hogs);
      for (Process hog : hogs) {
        if (!hog.waitFor(STARVATION.toMillis() + 5000, TimeUnit.MILLISECONDS)) {
          hog.destroyForcibly();
        }
      }
      return new FaultWindow(start, System.currentTimeMillis());
    }
  };

  /**
   * storage-unusable on ZooKeeper: both hosts' links to the ensemble cut at its switch, host A
   * killed, the links back after 3 s.
   */
  private static FaultWindow cutHostsOffTheEnsemble(FaultContext context, CampaignZooKeeper zk)
      throws InterruptedException {
    List<String> ports = CampaignZooKeeper.hostPorts(context.harness().pair().topology());
    zk.cluster().partition(ports);
    long start;
    try {
      start = System.currentTimeMillis();
      context.harness().pair().topology().killAllProcesses(context.roles().primaryHost());
      Thread.sleep(OUTAGE.toMillis());
    } finally {
      zk.cluster().restore(ports);
    }
    return new FaultWindow(start, System.currentTimeMillis());
  }

  /** Whether the fault exists only with the ZooKeeper arbiter ("all" leaves it out otherwise). */
  boolean needsZooKeeper() {
    return false;
  }

  static final Duration QUIET_RUN = Duration.ofSeconds(10);
  static final Duration OUTAGE = Duration.ofSeconds(3);
  static final Duration STARVATION = Duration.ofSeconds(5);
  static final int HOGS_PER_HOST = 2;

  private final String cliName;
  private final Expectation expectation;
  private final PairFault pairFault;

  CampaignFault(String cliName, Expectation expectation) {
    this.cliName = cliName;
    this.expectation = expectation;
    this.pairFault = null;
  }

  CampaignFault(String cliName, PairFault pairFault) {
    this.cliName = cliName;
    this.expectation = Expectation.goesLive(pairFault.survivor());
    this.pairFault = pairFault;
  }

  public String cliName() {
    return cliName;
  }

  public Expectation expectation() {
    return expectation;
  }

  /**
   * What must happen when the fault strikes a pair with these roles: a survivor named for a fresh
   * pair (b, the backup) is the current backup of a pair whose roles swapped.
   */
  Expectation expectation(PairRoles roles) {
    return new Expectation(
        expectation.goLive(),
        roles.now(expectation.survivor()),
        expectation.liveOnlyAfterFaultEnd());
  }

  /**
   * Applies the fault to a protected pair; returns once it is over (restored, resumed). Names in
   * {@link PairFault} are those of a fresh pair (a primary); on a pair whose roles swapped the
   * mirrored fault acts on the current primary or backup.
   */
  FaultWindow inject(FaultContext context) throws Exception {
    long start = System.currentTimeMillis();
    PairRoles roles = context.roles();
    if (roles.equals(PairRoles.INITIAL)) {
      pairFault.inject(context.harness());
      return FaultWindow.instant(start);
    }
    switch (pairFault) {
      case KILL_PRIMARY_QEMU -> PairFault.KILL_BACKUP_QEMU.inject(context.harness());
      case KILL_PRIMARY_HOST -> PairFault.KILL_BACKUP_HOST.inject(context.harness());
      case KILL_BACKUP_HOST -> PairFault.KILL_PRIMARY_HOST.inject(context.harness());
      case PLANNED_FAILOVER ->
          context.harness().pair().control(roles.primary()).request("failover");
      case KILL_PRIMARY_DAEMON -> killDaemonAndAwaitItsQemu(context, roles.primary());
      default ->
          throw new IllegalStateException(pairFault + " has no mirror for swapped roles " + roles);
    }
    return FaultWindow.instant(start);
  }

  /**
   * kill -9 of a node's daemon JVM; its QEMU must die with it (pdeathsig), as {@link
   * PairFault#KILL_PRIMARY_DAEMON} checks for node a.
   */
  private static void killDaemonAndAwaitItsQemu(FaultContext context, String node)
      throws IOException, InterruptedException {
    ProcessHandle launched = context.harness().pair().daemon(node).toHandle();
    ProcessHandle daemon =
        launched.info().command().orElse("").endsWith("java")
            ? launched
            : launched
                .descendants()
                .filter(p -> p.info().command().orElse("").endsWith("java"))
                .findFirst()
                .orElse(launched);
    long qemuPid = context.qemuPid(node);
    if (!daemon.destroyForcibly()) {
      throw new IllegalStateException("SIGKILL to " + node + "'s daemon pid " + daemon.pid());
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (ProcessHandle.of(qemuPid).isPresent() && LinuxProcess.isRunning(qemuPid)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            node + "'s QEMU (pid " + qemuPid + ") outlived its daemon by 2 s: no pdeathsig");
      }
      Thread.sleep(1);
    }
  }

  /** The faults named in a comma-separated list of campaign names ("all" or empty: every one). */
  public static List<CampaignFault> parseList(String list) {
    if (list == null || list.isBlank() || list.trim().equals("all")) {
      return List.of(values());
    }
    List<CampaignFault> faults = new ArrayList<>();
    for (String name : list.split(",")) {
      faults.add(byName(name.trim()));
    }
    return faults;
  }

  public static CampaignFault byName(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(f -> f.cliName.equals(wanted) || f.name().equalsIgnoreCase(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown fault '"
                        + name
                        + "'; known: "
                        + String.join(
                            ", ", Arrays.stream(values()).map(CampaignFault::cliName).toList())));
  }
}
