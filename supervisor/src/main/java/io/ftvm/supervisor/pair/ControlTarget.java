package io.ftvm.supervisor.pair;

import java.util.concurrent.CompletableFuture;

/** What the control socket can ask of a node ({@link NodeSupervisor} in a daemon). */
public interface ControlTarget {
  NodeStatus status();

  CompletableFuture<String> failover();

  String protect();

  void stop();
}
