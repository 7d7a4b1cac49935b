package io.ftvm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test VM as test-vms/build.sh produced it, read the way {@link
 * io.ftvm.supervisor.pair.LocalPair} reads it, so the single-VM configurations boot exactly the
 * guest the protected pair boots.
 */
record GuestImage(
    Path directory,
    Path kernel,
    Path initrd,
    Path pristineDisk,
    String baseCmdline,
    int memoryMib) {

  static GuestImage load(Path directory) throws IOException {
    Path description = directory.resolve("vm.json");
    if (!Files.isRegularFile(description)) {
      throw new IOException(
          "test VM directory " + directory + " has no vm.json; build it with test-vms/build.sh");
    }
    JsonNode vm = new ObjectMapper().readTree(description.toFile());
    return new GuestImage(
        directory,
        directory.resolve("vmlinuz").toAbsolutePath(),
        directory.resolve("initrd.img").toAbsolutePath(),
        directory.resolve("disk.img"),
        vm.path("cmdline").asText("console=ttyS0"),
        vm.path("machine").path("memoryMiB").asInt(256));
  }

  String kernelAppend(String workload, String guestCidr) {
    return baseCmdline + " ftvm.workload=" + workload + " ftvm.ip=" + guestCidr;
  }
}
