package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.nativeos.LinuxProcess;
import io.ftvm.supervisor.topology.HostRole;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failures of issue 4 and design.md, each written once and applied to a running pair by the
 * end-to-end tests. {@link #survivor} is who must end up PRIMARY_ALONE, or null where either side
 * may legitimately win (a partition: the arbiter decides).
 */
public enum PairFault {
  /** kill -9 of the primary's QEMU only: its daemon fences itself and tells the backup at once. */
  KILL_PRIMARY_QEMU(LocalPair.BACKUP) {
    @Override
    public void inject(PairHarness harness) throws Exception {
      ProcessHandle qemu = primaryQemu(harness);
      if (!qemu.destroyForcibly()) {
        throw new IllegalStateException(
            "SIGKILL to the primary's QEMU pid " + qemu.pid() + " refused");
      }
    }
  },
  /** kill -9 of the primary's daemon JVM only; its QEMU must die with it (pdeathsig). */
  KILL_PRIMARY_DAEMON(LocalPair.BACKUP) {
    @Override
    public void inject(PairHarness harness) throws Exception {
      ProcessHandle qemu = primaryQemu(harness);
      ProcessHandle daemon = daemonJvm(harness.pair().daemon(LocalPair.PRIMARY).toHandle());
      long killedAt = System.nanoTime();
      if (!daemon.destroyForcibly()) {
        throw new IllegalStateException(
            "SIGKILL to the primary's daemon pid " + daemon.pid() + " refused");
      }
      long deadline = System.nanoTime() + QEMU_FOLLOWS_DAEMON.toNanos();
      while (runs(qemu)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "the primary's QEMU (pid "
                  + qemu.pid()
                  + ") outlived its daemon (pid "
                  + daemon.pid()
                  + ") by "
                  + QEMU_FOLLOWS_DAEMON.toMillis()
                  + " ms: pdeathsig did not fire");
        }
        Thread.sleep(1);
      }
      long qemuGoneMicros = (System.nanoTime() - killedAt) / 1000;
      while (daemon.isAlive()) {
        Thread.sleep(1);
      }
      log.info(
          "killed daemon pid {} (launched as pid {}): its QEMU pid {} gone after {} us, the daemon"
              + " after {} us",
          daemon.pid(),
          harness.pair().daemon(LocalPair.PRIMARY).pid(),
          qemu.pid(),
          qemuGoneMicros,
          (System.nanoTime() - killedAt) / 1000);
    }
  },
  /**
   * kill -9 of the backup's QEMU only: its daemon fences itself and tells the primary, which goes
   * on alone at once (the path the backup's replay watchdog takes via localReplicaFailed).
   */
  KILL_BACKUP_QEMU(LocalPair.PRIMARY) {
    @Override
    public void inject(PairHarness harness) throws Exception {
      ProcessHandle qemu = qemuOf(harness, LocalPair.BACKUP);
      if (!qemu.destroyForcibly()) {
        throw new IllegalStateException(
            "SIGKILL to the backup's QEMU pid " + qemu.pid() + " refused");
      }
    }
  },
  KILL_PRIMARY_HOST(LocalPair.BACKUP) {
    @Override
    public void inject(PairHarness harness) {
      harness.pair().topology().killAllProcesses(HostRole.A);
    }
  },
  KILL_BACKUP_HOST(LocalPair.PRIMARY) {
    @Override
    public void inject(PairHarness harness) {
      harness.pair().topology().killAllProcesses(HostRole.B);
    }
  },
  CUT_LOGGING_LINK(null) {
    @Override
    public void inject(PairHarness harness) {
      harness.pair().topology().cutLoggingLink();
    }
  },
  PLANNED_FAILOVER(LocalPair.BACKUP) {
    @Override
    public void inject(PairHarness harness) throws Exception {
      harness.pair().control(LocalPair.PRIMARY).request("failover");
    }
  };

  final String survivor;

  PairFault(String survivor) {
    this.survivor = survivor;
  }

  /** The node that must end up PRIMARY_ALONE, or null if either may (the arbiter decides). */
  public String survivor() {
    return survivor;
  }

  public abstract void inject(PairHarness harness) throws Exception;

  private static final Logger log = LoggerFactory.getLogger(PairFault.class);

  /** A QEMU killed by its supervisor's death (PDEATHSIG) is gone well within this. */
  static final Duration QEMU_FOLLOWS_DAEMON = Duration.ofSeconds(2);

  /**
   * Alive and not a zombie. A QEMU killed by pdeathsig stays a zombie until init reaps it, which
   * took more than 2 s on a loaded host; a zombie runs no guest and holds no output.
   */
  static boolean runs(ProcessHandle process) throws IOException {
    return process.isAlive() && LinuxProcess.isRunning(process.pid());
  }

  static ProcessHandle primaryQemu(PairHarness harness) throws Exception {
    return qemuOf(harness, LocalPair.PRIMARY);
  }

  /** A node's QEMU, as its status reports it, checked to be a QEMU. */
  static ProcessHandle qemuOf(PairHarness harness, String node) throws Exception {
    long pid = harness.status(node).qemuPid();
    Optional<ProcessHandle> qemu = pid > 1 ? ProcessHandle.of(pid) : Optional.empty();
    String command = qemu.flatMap(p -> p.info().command()).orElse("");
    if (!command.contains("qemu-system")) {
      throw new IllegalStateException(
          "node " + node + " status names QEMU pid " + pid + " but that is '" + command + "'");
    }
    return qemu.get();
  }

  /**
   * The daemon's JVM: {@code ip netns exec} execs it in place, so it is normally the launched
   * process itself; if a wrapper forked it instead, it is the wrapper's java child.
   */
  static ProcessHandle daemonJvm(ProcessHandle launched) {
    if (launched.info().command().orElse("").endsWith("java")) {
      return launched;
    }
    return launched
        .descendants()
        .filter(p -> p.info().command().orElse("").endsWith("java"))
        .findFirst()
        .orElseThrow(
            () -> new IllegalStateException("no JVM under daemon process " + launched.pid()));
  }
}
