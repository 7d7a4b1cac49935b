package io.ftvm.supervisor.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@code ip}, {@code ip netns exec ...} and friends as child processes with a timeout.
 *
 * <p>Output goes to temporary files rather than pipes: a command that leaves a background process
 * behind (which {@code ip netns exec} makes easy) would otherwise hold the pipe open and make a
 * reader wait for a process that is not the one we ran.
 */
public final class NetnsCommand implements CommandRunner {
  private static final Logger log = LoggerFactory.getLogger(NetnsCommand.class);

  @Override
  public CommandResult run(List<String> argv, Duration timeout) {
    String commandLine = String.join(" ", argv);
    Path stdout = null;
    Path stderr = null;
    Process process = null;
    try {
      stdout = Files.createTempFile("ftvm-cmd-", ".out");
      stderr = Files.createTempFile("ftvm-cmd-", ".err");
      log.debug("running {}", commandLine);
      process =
          new ProcessBuilder(argv)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile())
              .start();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        throw new CommandFailedException(
            commandLine + " timed out after " + timeout.toMillis() + " ms and was killed", null);
      }
      return new CommandResult(
          argv,
          process.exitValue(),
          Files.readString(stdout, StandardCharsets.UTF_8),
          Files.readString(stderr, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CommandFailedException(commandLine + " could not be run: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CommandFailedException(commandLine + " was interrupted", e);
    } finally {
      deleteQuietly(stdout);
      deleteQuietly(stderr);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("could not delete temporary file {}: {}", file, e.getMessage());
    }
  }
}
