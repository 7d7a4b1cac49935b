package io.ftvm.supervisor.cli;

/** Exit statuses of record, replay and log inspect, which CI scripts branch on. */
final class ExitStatus {
  /** Recorded; replay identical; log valid. */
  static final int OK = 0;

  /** The replay diverged, or QEMU failed while recording or replaying. */
  static final int FAILED = 1;

  /** Bad input: not a bundle, corrupt or foreign log, another VM's files, unusable option. */
  static final int BAD_INPUT = 2;

  private ExitStatus() {}
}
