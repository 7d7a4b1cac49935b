package io.ftvm.faults;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the shared storage directory really unusable for the supervisors: a read-only bind mount of
 * the directory onto itself, made inside each supervisor's mount namespace ({@code ip netns exec}
 * gives every daemon its own, and this machine's root mount does not propagate into them). Root
 * writes through a chmod but not through a read-only mount: every create fails with EROFS. Nothing
 * outside those namespaces sees the mount, so the campaign keeps reading the directory.
 */
final class SharedStorageBlock {
  private static final Logger log = LoggerFactory.getLogger(SharedStorageBlock.class);

  private final Path directory;
  private final List<Long> pids;

  private SharedStorageBlock(Path directory, List<Long> pids) {
    this.directory = directory;
    this.pids = pids;
  }

  /**
   * @throws IOException if a mount fails, or if a supervisor can still create a file there (then
   *     whatever was mounted is undone)
   */
  static SharedStorageBlock readOnly(Path directory, List<Long> supervisorPids)
      throws IOException, InterruptedException {
    SharedStorageBlock block = new SharedStorageBlock(directory.toAbsolutePath(), supervisorPids);
    List<Long> mounted = new ArrayList<>();
    try {
      for (long pid : supervisorPids) {
        String dir = block.directory.toString();
        run(pid, "mount", "--bind", dir, dir);
        mounted.add(pid);
        run(pid, "mount", "-o", "remount,bind,ro", dir);
        Path probe = block.directory.resolve(".campaign-probe");
        if (exit(pid, List.of("touch", probe.toString())) == 0) {
          exit(pid, List.of("rm", "-f", probe.toString()));
          throw new IOException("storage still writable for pid " + pid + " after the ro mount");
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      new SharedStorageBlock(block.directory, mounted).restore();
      throw e;
    }
    log.info("shared storage {} read-only for supervisors {}", directory, supervisorPids);
    return block;
  }

  /** Removes the read-only mount wherever the supervisor still runs. */
  void restore() {
    for (long pid : pids) {
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        try {
          run(pid, "umount", directory.toString());
        } catch (IOException | InterruptedException e) {
          log.error("could not restore shared storage for pid {}: {}", pid, e.getMessage());
        }
      }
    }
    log.info("shared storage {} usable again", directory);
  }

  private static void run(long pid, String... command) throws IOException, InterruptedException {
    if (exit(pid, List.of(command)) != 0) {
      throw new IOException(
          "in the mount namespace of pid " + pid + ": " + String.join(" ", command) + " failed");
    }
  }

  private static int exit(long pid, List<String> command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("nsenter", "-t", Long.toString(pid), "-m", "--"));
    argv.addAll(command);
    Process process =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return -1;
    }
    return process.exitValue();
  }
}
