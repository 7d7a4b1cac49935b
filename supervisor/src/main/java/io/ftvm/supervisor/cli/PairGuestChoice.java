package io.ftvm.supervisor.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.ftvm.supervisor.pair.DescribedGuest;
import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.pair.PairGuest;
import io.ftvm.supervisor.pair.TestVmGuest;
import io.ftvm.supervisor.vm.UnsupportedVmException;
import io.ftvm.supervisor.vm.VmDescriptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code start --pair --vm X} runs: the test VM (a directory or vm.json of test-vms/build.sh,
 * format 1), which takes a workload, or the admin's VM description (format 2), run as described.
 */
final class PairGuestChoice {
  private PairGuestChoice() {}

  /**
   * @param workloadGiven whether --workload was given (it only applies to the test VM)
   * @throws IOException naming what is missing or every reason the description cannot run
   */
  static PairGuest of(Path given, Workload workload, boolean workloadGiven) throws IOException {
    Path file = Files.isDirectory(given) ? given.resolve("vm.json") : given;
    if (!Files.isRegularFile(file) || formatOf(file) == 1) {
      return new TestVmGuest(TestVmDirectory.validate(given), workload.name());
    }
    if (workloadGiven) {
      throw new IOException(
          "--workload applies to the test VM only; " + given + " is a VM description");
    }
    try {
      return new DescribedGuest(new VmDescriptions().load(given));
    } catch (UnsupportedVmException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** A file that is not JSON counts as the test VM's, whose checks then name what is wrong. */
  private static int formatOf(Path file) throws IOException {
    try {
      JsonNode root = PairConfig.mapper().readTree(file.toFile());
      return root == null ? 1 : root.path("format").asInt(1);
    } catch (JsonProcessingException e) {
      return 1;
    }
  }
}
