package io.ftvm.supervisor.pair;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the integration tests find the patched QEMU and the test VM. {@code .ci/run} builds both
 * and passes them as system properties; a missing one fails the test with a pointer to the build
 * script rather than skipping it (a skipped IT proves nothing).
 */
public final class TestEnvironment {
  private TestEnvironment() {}

  public static Path qemu() {
    return existing("ftvm.qemu", "qemu-patches/build.sh");
  }

  public static Path testVm() {
    return existing("ftvm.testvm", "test-vms/build.sh");
  }

  private static Path existing(String property, String builder) {
    String value =
        System.getProperty(property, System.getenv(property.toUpperCase().replace('.', '_')));
    if (value == null || value.isBlank() || !Files.exists(Path.of(value))) {
      throw new IllegalStateException(
          "integration tests need -D"
              + property
              + "=<path> (got '"
              + value
              + "'); build it with "
              + builder
              + " (.ci/run does this)");
    }
    return Path.of(value);
  }
}
