package io.ftvm.supervisor.hypervisor;

import io.ftvm.supervisor.qmp.QmpClient;
import io.ftvm.supervisor.qmp.QmpException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A QEMU child process with its QMP session and console. */
final class QemuVmInstance implements VmInstance {
  private static final Logger log = LoggerFactory.getLogger(QemuVmInstance.class);
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final String name;
  private final Process process;
  private final QmpClient qmp;
  private final VmConsole console;
  private final Path qmpSocket;
  private final CompletableFuture<Integer> exit;

  QemuVmInstance(String name, Process process, QmpClient qmp, VmConsole console, Path qmpSocket) {
    this.name = name;
    this.process = process;
    this.qmp = qmp;
    this.console = console;
    this.qmpSocket = qmpSocket;
    this.exit = process.onExit().thenApply(Process::exitValue);
    exit.thenAccept(
        status -> {
          log.info("VM {} (QEMU pid {}) exited with status {}", name, process.pid(), status);
          qmp.close();
        });
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long pid() {
    return process.pid();
  }

  @Override
  public QmpClient qmp() {
    return qmp;
  }

  @Override
  public VmConsole console() {
    return console;
  }

  @Override
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public CompletableFuture<Integer> onExit() {
    return exit;
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
    log.debug("killing VM {} (QEMU pid {})", name, process.pid());
    process.destroyForcibly();
  }

  @Override
  public void shutdown(Duration grace) throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    try {
      // QEMU may close the socket before or instead of answering quit; only its exit matters.
      qmp.execute("quit", null, grace).exceptionally(failure -> null);
    } catch (QmpException e) {
      log.debug("QMP quit to VM {} failed: {}", name, e.getMessage());
    }
    if (!awaitExit(grace)) {
      log.warn("VM {} did not quit within {} ms; killing it", name, grace.toMillis());
      kill();
      process.waitFor();
    }
  }

  @Override
  public void close() {
    try {
      shutdown(CLOSE_GRACE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    } finally {
      qmp.close();
      try {
        console.close();
        Files.deleteIfExists(qmpSocket);
      } catch (IOException e) {
        log.debug("releasing sockets of VM {} failed", name, e);
      }
    }
  }
}
