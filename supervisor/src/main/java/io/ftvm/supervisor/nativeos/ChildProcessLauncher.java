package io.ftvm.supervisor.nativeos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts child processes (QEMU above all) so that they cannot outlive this JVM, not even when it is
 * killed with SIGKILL: a leftover recording primary would keep emitting outputs nobody protects.
 *
 * <p>Each child runs under {@code setpriv --pdeathsig KILL}, which sets {@code PR_SET_PDEATHSIG}
 * before exec'ing the real command. Linux delivers that signal when the <em>thread</em> that forked
 * the child exits, not when the process does. A child forked from a short-lived pool thread would
 * be killed as soon as that thread retires, and one forked from a thread that happens to die early
 * would be killed at a random time. So every child is forked from one dedicated thread that lives
 * exactly as long as this launcher: closing the launcher (or the JVM dying) kills all children,
 * which is the intent.
 *
 * <p>Race: if the JVM dies after the fork but before setpriv's {@code prctl}, the child is already
 * re-parented and would never get the signal. A tiny shell guard therefore runs after the prctl and
 * before the real command, and exits with {@value #ORPHANED_EXIT_CODE} unless its parent is still
 * this JVM.
 */
public final class ChildProcessLauncher implements AutoCloseable {
  /** Exit status of a child that found itself orphaned before it could be tied to us. */
  public static final int ORPHANED_EXIT_CODE = 125;

  private static final Logger log = LoggerFactory.getLogger(ChildProcessLauncher.class);
  private static final Path DEFAULT_SETPRIV = Path.of("/usr/bin/setpriv");
  private static final String PARENT_GUARD =
      "if [ \"$PPID\" != \"$FTVM_EXPECTED_PARENT\" ]; then"
          + " echo \"ftvm: parent $FTVM_EXPECTED_PARENT died before the child was tied to it;"
          + " not starting $1\" >&2; exit "
          + ORPHANED_EXIT_CODE
          + "; fi; unset FTVM_EXPECTED_PARENT; exec \"$@\"";

  private final Path setpriv;
  private final long expectedParentPid;
  private final ExecutorService forkThread;
  private final Set<Process> children = ConcurrentHashMap.newKeySet();

  /** A launcher using {@code /usr/bin/setpriv} (util-linux) for children of this JVM. */
  public ChildProcessLauncher() throws IOException {
    this(DEFAULT_SETPRIV, ProcessHandle.current().pid());
  }

  /**
   * @param expectedParentPid the pid the guard compares against; only tests pass anything but the
   *     JVM's own pid, to prove the guard refuses an orphaned start
   */
  ChildProcessLauncher(Path setpriv, long expectedParentPid) throws IOException {
    if (!Files.isExecutable(setpriv)) {
      throw new IOException(
          setpriv
              + " is missing; ftvm needs util-linux's setpriv to bind child processes to its"
              + " lifetime (apt-get install util-linux)");
    }
    this.setpriv = setpriv;
    this.expectedParentPid = expectedParentPid;
    this.forkThread =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "ftvm-child-launcher");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Starts {@code builder}'s command as a child bound to this launcher's lifetime. The builder's
   * directory, environment and redirects are used as given; its command is used unchanged for the
   * exec, so {@link Process#pid()} is the pid of the real program.
   */
  public Process start(ProcessBuilder builder) throws IOException {
    List<String> command = List.copyOf(builder.command());
    if (command.isEmpty()) {
      throw new IllegalArgumentException("cannot start an empty command");
    }
    List<String> wrapped = new ArrayList<>();
    wrapped.add(setpriv.toString());
    wrapped.add("--pdeathsig");
    wrapped.add("KILL");
    wrapped.add("--");
    wrapped.add("/bin/sh");
    wrapped.add("-c");
    wrapped.add(PARENT_GUARD);
    wrapped.add("ftvm-child");
    wrapped.addAll(command);
    Future<Process> started;
    try {
      started =
          forkThread.submit(
              () -> {
                synchronized (builder) {
                  builder.command(wrapped);
                  builder
                      .environment()
                      .put("FTVM_EXPECTED_PARENT", Long.toString(expectedParentPid));
                  try {
                    return builder.start();
                  } finally {
                    builder.command(command);
                    builder.environment().remove("FTVM_EXPECTED_PARENT");
                  }
                }
              });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      throw new IOException("child process launcher is closed; not starting " + command.get(0), e);
    }
    try {
      Process process = started.get();
      children.add(process);
      process.onExit().thenRun(() -> children.remove(process));
      log.debug("started {} as pid {} (dies with this JVM)", command.get(0), process.pid());
      return process;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + command.get(0), e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw new IOException("cannot start " + command.get(0) + ": " + io.getMessage(), io);
      }
      throw new IOException("cannot start " + command.get(0), e.getCause());
    }
  }

  /**
   * Kills every child started here that is still running, and ends the fork thread.
   *
   * <p>The explicit kill matters: the thread's exit alone would miss a child started a moment ago
   * that has not reached its {@code prctl} yet; such a child is re-parented to another thread of
   * this JVM, so its parent-pid guard passes and it would run unbound.
   */
  @Override
  public void close() {
    forkThread.shutdown();
    for (Process child : List.copyOf(children)) {
      log.debug("killing child pid {} as its launcher closes", child.pid());
      child.destroyForcibly();
    }
  }
}
