package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.hypervisor.VmConsole;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.qmp.QmpClient;
import java.io.IOException;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A real process (e.g. {@code sleep}) standing in for QEMU where only the process matters. */
final class ProcessVm implements VmInstance {
  final Process process;

  private ProcessVm(Process process) {
    this.process = process;
  }

  static ProcessVm sleeping() throws IOException {
    return new ProcessVm(new ProcessBuilder("sleep", "600").start());
  }

  @Override
  public String name() {
    return "sleep-" + process.pid();
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public QmpClient qmp() {
    throw new UnsupportedOperationException("no QMP in a stand-in process");
  }

  @Override
  public VmConsole console() {
    throw new UnsupportedOperationException("no console in a stand-in process");
  }

  @Override
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public CompletableFuture<Integer> onExit() {
    return process.onExit().thenApply(Process::exitValue);
  }

  @Override
  public OptionalInt exitValue() {
    return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
  }

  @Override
  public boolean isRunning() {
    return process.isAlive();
  }

  @Override
  public void kill() {
    process.destroyForcibly();
  }

  @Override
  public void shutdown(Duration grace) {
    kill();
  }

  @Override
  public void close() {
    kill();
  }
}
