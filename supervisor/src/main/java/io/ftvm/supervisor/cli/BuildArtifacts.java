package io.ftvm.supervisor.cli;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the patched QEMU and the test VM when the admin did not name them: they are built (and
 * cached) by scripts in the ftvm source tree, whose last stdout line is the result. The tree is
 * $FTVM_HOME (the {@code ftvm} launcher exports it), else the tree the running jar was built in.
 */
final class BuildArtifacts {
  private static final Logger log = LoggerFactory.getLogger(BuildArtifacts.class);
  static final String QEMU_SCRIPT = "qemu-patches/build.sh";
  static final String TEST_VM_SCRIPT = "test-vms/build.sh";

  private final Function<String, String> environment;

  BuildArtifacts(Function<String, String> environment) {
    this.environment = environment;
  }

  static BuildArtifacts fromSystemEnvironment() {
    Map<String, String> env = System.getenv();
    return new BuildArtifacts(env::get);
  }

  /** The source tree, or an error saying how to point ftvm at it. */
  Path home() throws IOException {
    String configured = environment.apply("FTVM_HOME");
    if (configured != null && !configured.isBlank()) {
      Path home = Path.of(configured).toAbsolutePath();
      if (!Files.isRegularFile(home.resolve(QEMU_SCRIPT))) {
        throw new IOException(
            "FTVM_HOME=" + configured + " is not an ftvm source tree (no " + QEMU_SCRIPT + ")");
      }
      return home;
    }
    Optional<Path> fromJar = treeAround(codeLocation());
    return fromJar.orElseThrow(
        () ->
            new IOException(
                "cannot find the ftvm source tree (with "
                    + QEMU_SCRIPT
                    + ") around "
                    + codeLocation()
                    + "; set FTVM_HOME or name the QEMU and test VM with --qemu and --vm"));
  }

  /** The nearest ancestor of {@code start} that holds the build scripts. */
  static Optional<Path> treeAround(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(QEMU_SCRIPT))
          && Files.isRegularFile(dir.resolve(TEST_VM_SCRIPT))) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }

  private static Path codeLocation() {
    try {
      return Path.of(
              BuildArtifacts.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toAbsolutePath();
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return Path.of("").toAbsolutePath();
    }
  }

  /**
   * Runs a build script (cached builds return at once; a first build may take long, and its
   * progress goes to this process's stderr) and returns the path on its last stdout line.
   */
  Path build(String script) throws IOException, InterruptedException {
    Path path = home().resolve(script);
    log.info("running {} (instant when cached; the first build takes a while)", path);
    Process process =
        new ProcessBuilder(List.of("bash", path.toString()))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = process.waitFor();
    List<String> lines = stdout.lines().filter(l -> !l.isBlank()).toList();
    if (exit != 0 || lines.isEmpty()) {
      throw new IOException(
          path + " failed (exit status " + exit + ", " + lines.size() + " output lines)");
    }
    Path result = Path.of(lines.get(lines.size() - 1).trim());
    if (!Files.exists(result)) {
      throw new IOException(path + " printed " + result + ", which does not exist");
    }
    return result;
  }
}
