package io.ftvm.supervisor.follow;

import java.nio.file.Path;

/**
 * A following pair with its work directory and LANs, for one test. The work directory is deleted on
 * close only if the test said it passed: a failure's consoles, QEMU logs and replay logs stay for
 * the post-mortem.
 */
final class FollowFixture implements AutoCloseable {
  private final Path work;
  private final GuestLan primaryLan;
  private final GuestLan backupLan;
  private final FollowingPair pair;
  private boolean passed;

  private FollowFixture(Path work, GuestLan primaryLan, GuestLan backupLan, FollowingPair pair) {
    this.work = work;
    this.primaryLan = primaryLan;
    this.backupLan = backupLan;
    this.pair = pair;
  }

  /**
   * @param withBackupLan give the backup a LAN of its own (its frames only flow once it is live, so
   *     it can exist from the start)
   */
  static FollowFixture start(String label, boolean withBackupLan) throws Exception {
    Path work = WorkDirectory.create(label);
    GuestLan primaryLan = null;
    GuestLan backupLan = null;
    try {
      primaryLan = GuestLan.create("p");
      backupLan = withBackupLan ? GuestLan.create("b") : null;
      return new FollowFixture(
          work, primaryLan, backupLan, FollowingPair.start(work, "all", primaryLan, backupLan));
    } catch (Exception e) {
      closeLans(primaryLan, backupLan);
      throw e;
    }
  }

  FollowingPair pair() {
    return pair;
  }

  GuestLan primaryLan() {
    return primaryLan;
  }

  GuestLan backupLan() {
    return backupLan;
  }

  Path work() {
    return work;
  }

  void passed() {
    passed = true;
  }

  @Override
  public void close() throws Exception {
    try {
      if (!passed) {
        pair.keepLogs(work);
      }
      pair.close();
    } finally {
      closeLans(primaryLan, backupLan);
      if (passed) {
        WorkDirectory.delete(work);
      }
    }
  }

  private static void closeLans(GuestLan... lans) throws Exception {
    for (GuestLan lan : lans) {
      if (lan != null) {
        lan.close();
      }
    }
  }
}
