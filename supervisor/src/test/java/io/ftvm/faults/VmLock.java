package io.ftvm.faults;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine-wide "one VM experiment at a time" lock ({@code flock /tmp/ftvm-vm.lock CMD}), taken
 * per round so others get a turn between rounds. Java's FileLock uses fcntl locks, which do not
 * exclude flock(2) holders, so the lock is held by a child {@code flock} whose command waits for
 * its stdin to close: closing it, or this JVM dying, releases the lock.
 */
final class VmLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmLock.class);
  private static final String HELD = "held";

  private final Process holder;

  private VmLock(Process holder) {
    this.holder = holder;
  }

  /** Blocks until the lock is held; a null file means no lock (returns a no-op). */
  static VmLock acquire(Path lockFile) throws IOException {
    if (lockFile == null) {
      return new VmLock(null);
    }
    long started = System.nanoTime();
    Process holder =
        new ProcessBuilder(
                List.of(
                    // Dies with this JVM even while still waiting for the lock.
                    "setpriv",
                    "--pdeathsig",
                    "KILL",
                    "flock",
                    lockFile.toString(),
                    "sh",
                    "-c",
                    "echo " + HELD + "; exec cat >/dev/null"))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (!HELD.equals(line)) {
      holder.destroyForcibly();
      throw new IOException("could not take " + lockFile + " (flock said: " + line + ")");
    }
    long waited = (System.nanoTime() - started) / 1_000_000;
    if (waited > 1000) {
      log.info("waited {} s for {}", waited / 1000, lockFile);
    }
    return new VmLock(holder);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    if (holder == null) {
      return;
    }
    holder.getOutputStream().close();
    if (!holder.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
      holder.destroyForcibly().waitFor();
    }
  }
}
