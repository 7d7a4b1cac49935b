package io.ftvm.supervisor.cli;

/** Guest workloads the test VM can run, selected on the kernel command line. */
public enum Workload {
  idle,
  cpu,
  disk,
  net,
  all
}
