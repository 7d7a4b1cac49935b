package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.topology.HostRole;

/**
 * The failures of issue 4 and design.md, each written once and applied to a running pair by the
 * end-to-end tests. {@link #survivor} is who must end up PRIMARY_ALONE, or null where either side
 * may legitimately win (a partition: the arbiter decides).
 */
enum PairFault {
  KILL_PRIMARY_HOST(LocalPair.BACKUP) {
    @Override
    void inject(PairHarness harness) {
      harness.pair().topology().killAllProcesses(HostRole.A);
    }
  },
  KILL_BACKUP_HOST(LocalPair.PRIMARY) {
    @Override
    void inject(PairHarness harness) {
      harness.pair().topology().killAllProcesses(HostRole.B);
    }
  },
  CUT_LOGGING_LINK(null) {
    @Override
    void inject(PairHarness harness) {
      harness.pair().topology().cutLoggingLink();
    }
  },
  PLANNED_FAILOVER(LocalPair.BACKUP) {
    @Override
    void inject(PairHarness harness) throws Exception {
      harness.pair().control(LocalPair.PRIMARY).request("failover");
    }
  };

  final String survivor;

  PairFault(String survivor) {
    this.survivor = survivor;
  }

  abstract void inject(PairHarness harness) throws Exception;
}
