package io.ftvm.supervisor.pair;

import io.ftvm.fencing.ProcessIdentity;
import io.ftvm.supervisor.hypervisor.VmInstance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's QEMU. The backup starts it on its own thread once log flows, so it may appear at any
 * time, even after the node halted: then it is killed at once instead of adopted (a halted node
 * must not have a running VM).
 */
final class QemuReplica implements Replica {
  private static final Logger log = LoggerFactory.getLogger(QemuReplica.class);

  /** What the patched QEMU prints when it leaves replay (qemu-patches/, go-live). */
  static final String WENT_LIVE = "ftvm: replay went live";

  private static final Duration QMP_TIMEOUT = Duration.ofSeconds(10);
  private static final long LIVE_POLL_MILLIS = 2;

  private final Path qemuLog;
  private final Duration killBound;
  private VmInstance vm;
  private ProcessIdentity process;
  private boolean launchesRefused;

  /**
   * Where the adopted QEMU's part of the (appended) QEMU log begins: a node that rejoined has the
   * log of its earlier QEMUs there too, whose "went live" must not count for this one.
   */
  private long logOffset;

  QemuReplica(Path qemuLog, Duration killBound) {
    this.qemuLog = qemuLog;
    this.killBound = killBound;
  }

  /**
   * Adopts a QEMU that finished starting.
   *
   * @return false if this node was fenced meanwhile: the VM was killed (within the kill bound)
   */
  boolean attach(VmInstance started) {
    synchronized (this) {
      if (!launchesRefused) {
        logOffset = sizeOf(qemuLog);
        vm = started;
        process = ProcessIdentity.of(started.pid());
        return true;
      }
    }
    log.warn("QEMU pid {} finished starting after this node was fenced: killing it", started.pid());
    started.kill();
    try {
      if (!started.awaitExit(killBound)) {
        log.error("QEMU pid {} still alive {} after SIGKILL", started.pid(), killBound);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return false;
  }

  synchronized Optional<VmInstance> vm() {
    return Optional.ofNullable(vm);
  }

  synchronized long pid() {
    return vm == null ? -1 : vm.pid();
  }

  @Override
  public synchronized boolean isRunning() {
    return vm != null && vm.isRunning();
  }

  @Override
  public synchronized String describe() {
    if (vm == null) {
      return "QEMU not started";
    }
    return vm.isRunning()
        ? "QEMU pid " + vm.pid() + " running"
        : "QEMU pid "
            + vm.pid()
            + " exited with status "
            + vm.exitValue().stream().mapToObj(Integer::toString).findFirst().orElse("?");
  }

  @Override
  public void pause() throws IOException {
    qmp("stop");
  }

  @Override
  public void resume() throws IOException {
    qmp("cont");
  }

  private void qmp(String command) throws IOException {
    VmInstance current = vm().orElseThrow(() -> new IOException("QEMU not started"));
    try {
      current.qmp().execute(command, null).get(QMP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during QMP " + command, e);
    } catch (Exception e) {
      throw new IOException("QMP " + command + " failed: " + e, e);
    }
  }

  @Override
  public boolean awaitWentLive(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        if (logOfAdoptedQemu().contains(WENT_LIVE)) {
          return true;
        }
      } catch (IOException e) {
        log.debug("reading QEMU log: {}", e.getMessage());
      }
      if (!isRunning() || System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(LIVE_POLL_MILLIS);
    }
  }

  private String logOfAdoptedQemu() throws IOException {
    long from;
    synchronized (this) {
      from = logOffset;
    }
    byte[] all = Files.readAllBytes(qemuLog);
    int start = (int) Math.min(from, all.length);
    return new String(all, start, all.length - start, StandardCharsets.UTF_8);
  }

  private static long sizeOf(Path file) {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public synchronized Optional<ProcessIdentity> refuseLaunchesAndGetProcess() {
    launchesRefused = true;
    return Optional.ofNullable(process);
  }
}
