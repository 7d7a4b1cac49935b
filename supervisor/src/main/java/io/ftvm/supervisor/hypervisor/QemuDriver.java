package io.ftvm.supervisor.hypervisor;

import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.qmp.QmpClient;
import io.ftvm.supervisor.qmp.UnixSocketQmpClient;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs QEMU as a child of this supervisor. Children are started through the {@link
 * ChildProcessLauncher}, so a supervisor that dies takes its QEMU with it.
 */
public final class QemuDriver implements HypervisorDriver {
  private static final Logger log = LoggerFactory.getLogger(QemuDriver.class);
  private static final Duration CONNECT_RETRY = Duration.ofMillis(20);
  private static final int LOG_TAIL_LINES = 15;

  private final ChildProcessLauncher launcher;
  private final QemuCommandLine commandLine;

  public QemuDriver(ChildProcessLauncher launcher) {
    this(launcher, new QemuCommandLine());
  }

  public QemuDriver(ChildProcessLauncher launcher, QemuCommandLine commandLine) {
    this.launcher = launcher;
    this.commandLine = commandLine;
  }

  @Override
  public VmInstance launch(VmLaunchSpec spec) throws VmLaunchException {
    checkInputs(spec);
    List<String> command = commandLine.render(spec);
    log.info("starting VM {} ({} mode)", spec.name(), spec.replay().mode());
    log.debug("QEMU command line: {}", command);
    SocketConsoleListener consoleListener = null;
    Process process = null;
    QmpClient qmp = null;
    try {
      Files.deleteIfExists(spec.qmpSocket());
      if (spec.console().kind() == ConsoleSpec.Kind.SOCKET) {
        consoleListener = SocketConsoleListener.bind(spec.console().path());
      }
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectInput(new File("/dev/null"))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(spec.qemuLog().toFile()));
      process = launcher.start(builder);
      qmp = connectQmp(spec, process);
      VmConsole console =
          consoleListener != null
              ? consoleListener.awaitConnection(spec.startupTimeout())
              : new FileConsole(spec.console().path());
      log.info("VM {} is up: QEMU pid {}, {}", spec.name(), process.pid(), qmp.qemuVersion());
      return new QemuVmInstance(spec.name(), process, qmp, console, spec.qmpSocket());
    } catch (IOException | RuntimeException e) {
      throw failed(spec, process, qmp, consoleListener, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(spec, process, qmp, consoleListener, e);
    }
  }

  private static void checkInputs(VmLaunchSpec spec) throws VmLaunchException {
    if (spec.devices() == null) {
      requireFile(spec.kernel(), "kernel");
      requireFile(spec.initrd(), "initrd");
      requireFile(spec.disk(), "disk image");
    } else {
      GuestDevices devices = spec.devices();
      if (devices.kernel() != null) {
        requireFile(devices.kernel(), "kernel");
      }
      if (devices.initrd() != null) {
        requireFile(devices.initrd(), "initrd");
      }
      for (GuestDevices.Drive drive : devices.drives()) {
        requireFile(drive.file(), "disk image");
      }
    }
    if (spec.replay().mode() == ReplayMode.REPLAY && !Files.exists(spec.replay().rrfile())) {
      throw new VmLaunchException(
          "VM " + spec.name() + ": replay log " + spec.replay().rrfile() + " does not exist");
    }
    if (!Files.exists(spec.netdevSocket())) {
      throw new VmLaunchException(
          "VM "
              + spec.name()
              + ": nobody listens on the NIC socket "
              + spec.netdevSocket()
              + "; the supervisor must bind it before launching QEMU");
    }
  }

  private static void requireFile(Path path, String what) throws VmLaunchException {
    if (!Files.isRegularFile(path) && !Files.exists(path)) {
      throw new VmLaunchException(what + " " + path + " does not exist");
    }
    if (!Files.isReadable(path)) {
      throw new VmLaunchException(what + " " + path + " is not readable");
    }
  }

  /**
   * QEMU creates the QMP socket a moment after it starts; retry until it accepts, the process dies
   * (no point waiting), or the startup timeout passes.
   */
  private static QmpClient connectQmp(VmLaunchSpec spec, Process process)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + spec.startupTimeout().toNanos();
    IOException lastFailure = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("QEMU exited with status " + process.exitValue() + " during startup");
      }
      if (Files.exists(spec.qmpSocket())) {
        try {
          return UnixSocketQmpClient.connect(spec.qmpSocket(), spec.startupTimeout());
        } catch (IOException e) {
          lastFailure = e;
        }
      }
      Thread.sleep(CONNECT_RETRY.toMillis());
    }
    throw new IOException(
        "QMP socket "
            + spec.qmpSocket()
            + " not ready within "
            + spec.startupTimeout().toMillis()
            + " ms"
            + (lastFailure == null ? "" : ": " + lastFailure.getMessage()));
  }

  private static VmLaunchException failed(
      VmLaunchSpec spec,
      Process process,
      QmpClient qmp,
      SocketConsoleListener consoleListener,
      Exception cause) {
    if (qmp != null) {
      qmp.close();
    }
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (consoleListener != null) {
      try {
        consoleListener.close();
      } catch (IOException e) {
        log.debug("closing console listener failed", e);
      }
    }
    return new VmLaunchException(
        "VM " + spec.name() + " did not start: " + cause.getMessage() + logTail(spec.qemuLog()),
        cause);
  }

  private static String logTail(Path qemuLog) {
    try {
      List<String> lines = Files.readAllLines(qemuLog);
      if (lines.isEmpty()) {
        return "";
      }
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      return "\nQEMU said (" + qemuLog + "):\n  " + String.join("\n  ", tail);
    } catch (IOException e) {
      return "";
    }
  }
}
