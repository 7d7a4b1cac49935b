package io.ftvm.supervisor.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks that a test VM (as test-vms/build.sh writes it) is complete before a pair boots it. */
final class TestVmDirectory {
  static final List<String> REQUIRED_FILES =
      List.of("vm.json", "vmlinuz", "initrd.img", "disk.img");

  private TestVmDirectory() {}

  /**
   * @param given the directory, or its vm.json
   * @return the directory
   * @throws IOException naming the path and the first missing file
   */
  static Path validate(Path given) throws IOException {
    Path directory =
        Files.isRegularFile(given) && given.getFileName().toString().equals("vm.json")
            ? given.toAbsolutePath().getParent()
            : given.toAbsolutePath();
    if (!Files.isDirectory(directory)) {
      throw new IOException(
          "test VM "
              + given
              + " is neither a directory nor a vm.json (it does not exist or is"
              + " another file)");
    }
    for (String file : REQUIRED_FILES) {
      if (!Files.isRegularFile(directory.resolve(file))) {
        throw new IOException(
            "test VM directory "
                + directory
                + " has no "
                + file
                + " (expected "
                + String.join(", ", REQUIRED_FILES)
                + ", as test-vms/build.sh writes them)");
      }
    }
    return directory;
  }
}
