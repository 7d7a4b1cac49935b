package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Root ignores file permissions, so a read-only share is simulated with a read-only bind mount.
 * Skipped (not passed) where mounting is not permitted.
 */
class ReadOnlyStorageIT {
  @TempDir Path workspace;
  private Path readOnlyView;
  private boolean mounted;

  @BeforeEach
  void mountReadOnlyView() throws Exception {
    Path storage = Files.createDirectory(workspace.resolve("storage"));
    SharedDirectoryArbiter.initializeStorage(storage);
    try (SharedDirectoryArbiter writable =
        new SharedDirectoryArbiter(storage, Duration.ofSeconds(2))) {
      writable.tryGoLive(new GoLiveClaim("web-1", 1, "host-a", "before ro", Instant.now()));
    }
    readOnlyView = Files.createDirectory(workspace.resolve("ro-view"));
    assumeTrue(run("mount", "--bind", storage.toString(), readOnlyView.toString()), "bind mount");
    mounted = true;
    assertThat(run("mount", "-o", "remount,ro,bind", readOnlyView.toString()))
        .as("remount read-only")
        .isTrue();
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      assertThat(run("umount", readOnlyView.toString())).as("umount " + readOnlyView).isTrue();
    }
  }

  @Test
  void newClaimOnReadOnlyStorageIsUnavailableNotWon() {
    try (SharedDirectoryArbiter arbiter =
        new SharedDirectoryArbiter(readOnlyView, Duration.ofSeconds(2))) {
      assertThatThrownBy(
              () ->
                  arbiter.tryGoLive(
                      new GoLiveClaim("web-1", 2, "host-a", "peer lost", Instant.now())))
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("failed during claim web-1 epoch 2")
          .hasMessageContaining("Read-only file system");
      assertThatThrownBy(arbiter::checkReachable)
          .isInstanceOf(StorageUnavailableException.class)
          .hasMessageContaining("Read-only file system");
    }
  }

  @Test
  void decisionMadeBeforeStorageWentReadOnlyIsStillReported() throws Exception {
    try (SharedDirectoryArbiter arbiter =
        new SharedDirectoryArbiter(readOnlyView, Duration.ofSeconds(2))) {
      GoLiveDecision decision =
          arbiter.tryGoLive(new GoLiveClaim("web-1", 1, "host-b", "peer lost", Instant.now()));

      assertThat(decision.won()).isFalse();
      assertThat(decision.winner().nodeId()).contains("host-a");
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    boolean finished = process.waitFor(30, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
      return false;
    }
    if (process.exitValue() != 0) {
      LoggerFactory.getLogger(ReadOnlyStorageIT.class)
          .warn("{}: {}", String.join(" ", command), output);
    }
    return process.exitValue() == 0;
  }
}
