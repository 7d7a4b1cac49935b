package io.ftvm.supervisor.recording;

import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.topology.CommandRunner;
import java.nio.file.Path;

/**
 * The outside world per workload: a namespace with a traffic client for workloads that serve TCP
 * ({@code net}, {@code all}), silence for the others.
 */
public final class WorkloadTraffic implements TrafficDriverFactory {
  private final CommandRunner runner;
  private final ChildProcessLauncher launcher;

  public WorkloadTraffic(CommandRunner runner, ChildProcessLauncher launcher) {
    this.runner = runner;
    this.launcher = launcher;
  }

  @Override
  public TrafficDriver create(RecordRequest request, Path workDirectory) {
    if (!request.needsNetworkTraffic()) {
      return new NoTraffic();
    }
    return new NamespaceTrafficDriver(
        runner, launcher, request.vm().guestIp(), request.vm().prefixLength(), workDirectory);
  }
}
