package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.topology.HostRole;

/**
 * The failures of issue 4 and design.md, each written once and applied to a running pair by the
 * end-to-end tests. {@link #survivor} is who must end up PRIMARY_ALONE, or null where either side
 * may legitimately win (a partition: the arbiter decides).
 */
public enum PairFault {
  /** SIGKILL of the primary's QEMU only (pid from its status); its supervisor stays up. */
  KILL_PRIMARY_QEMU(LocalPair.BACKUP) {
    @Override
    public void inject(PairHarness harness) throws Exception {
      long pid = harness.status(LocalPair.PRIMARY).qemuPid();
      ProcessHandle qemu =
          ProcessHandle.of(pid)
              .filter(p -> p.info().command().orElse("").contains("qemu"))
              .orElseThrow(
                  () -> new IllegalStateException("primary QEMU pid " + pid + " not found"));
      qemu.destroyForcibly();
    }
  },
  /**
   * SIGKILL of the primary's supervisor daemon only. Its QEMU is tied to it (PR_SET_PDEATHSIG), so
   * the kernel kills that QEMU right after, as it would when any parent crashes.
   */
  KILL_PRIMARY_DAEMON(LocalPair.BACKUP) {
    @Override
    public void inject(PairHarness harness) {
      harness.pair().daemon(LocalPair.PRIMARY).destroyForcibly();
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
}
