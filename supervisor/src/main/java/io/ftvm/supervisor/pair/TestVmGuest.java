package io.ftvm.supervisor.pair;

import com.fasterxml.jackson.databind.JsonNode;
import io.ftvm.supervisor.vm.SparseImageCopy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The busybox test guest of test-vms/build.sh: direct kernel boot, one raw virtio disk, and a
 * workload and IP address on its kernel command line. Runs exactly as pairs always ran it.
 *
 * @param directory the test VM's directory (vm.json, vmlinuz, initrd.img, disk.img)
 * @param workload the guest workload (kernel command line {@code ftvm.workload=})
 */
public record TestVmGuest(Path directory, String workload) implements PairGuest {

  @Override
  public PairConfig.GuestSpec spec(String guestCidr, String reservedMac) throws IOException {
    JsonNode vm = PairConfig.mapper().readTree(directory.resolve("vm.json").toFile());
    String append =
        vm.path("cmdline").asText("console=ttyS0")
            + " ftvm.workload="
            + workload
            + " ftvm.ip="
            + guestCidr;
    return new PairConfig.GuestSpec(
        directory.resolve("vmlinuz").toAbsolutePath(),
        directory.resolve("initrd.img").toAbsolutePath(),
        append,
        vm.path("machine").path("memoryMiB").asInt(256),
        reservedMac,
        guestCidr,
        vm.path("console").path("readyLinePrefix").asText("FTVM ready "),
        null,
        null);
  }

  @Override
  public List<Path> copyDisksInto(Path nodeDirectory) throws IOException {
    Path disk = nodeDirectory.resolve("disk.img");
    // Both replicas start from byte-identical disks; replay keeps them identical.
    new SparseImageCopy().copy(directory.resolve("disk.img"), disk);
    return List.of(disk);
  }

  @Override
  public String describe() {
    return "test VM " + directory + ", workload " + workload;
  }
}
