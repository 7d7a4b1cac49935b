package io.ftvm.supervisor.hypervisor;

import io.ftvm.supervisor.qmp.QmpClient;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;

/** One running VM process. Closing it shuts the VM down and releases its sockets. */
public interface VmInstance extends AutoCloseable {

  String name();

  long pid();

  /** The negotiated QMP session; closed once the VM exited. */
  QmpClient qmp();

  VmConsole console();

  /**
   * Waits for the VM process to end.
   *
   * @return true if it ended within {@code timeout}
   */
  boolean awaitExit(Duration timeout) throws InterruptedException;

  /** Completes with the exit status when the process ends. */
  CompletableFuture<Integer> onExit();

  /** The exit status, or empty while running. A VM killed by a signal reports 128 + signal. */
  OptionalInt exitValue();

  boolean isRunning();

  /** SIGKILL, no questions asked: used for fencing, where speed beats courtesy. */
  void kill();

  /**
   * Asks QEMU to quit via QMP, waits up to {@code grace}, then kills it. Returns once the process
   * is gone.
   */
  void shutdown(Duration grace) throws InterruptedException;

  /** {@link #shutdown(Duration)} with a short grace period, then releases sockets. */
  @Override
  void close();
}
