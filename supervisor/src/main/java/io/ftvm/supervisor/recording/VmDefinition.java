package io.ftvm.supervisor.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ftvm.supervisor.vm.UnsupportedVmException;
import io.ftvm.supervisor.vm.VmBoot;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDescriptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A guest as described by a {@code vm.json} (the format test-vms/build.sh writes): its files, the
 * base kernel command line, memory, MAC and where its network services live.
 *
 * @param descriptor the vm.json itself
 * @param kernel absolute path of the kernel image
 * @param initrd absolute path of the initrd
 * @param disk absolute path of the pristine disk image (never written: each run copies it)
 * @param baseCmdline kernel command line without workload and address parameters
 * @param memoryMib guest memory
 * @param mac the NIC's MAC address
 * @param guestIp the guest's IPv4 address (no prefix)
 * @param prefixLength the guest network's prefix length
 * @param readyLinePrefix the console line that says the guest is up ("" for a described VM that
 *     prints none: then its first console line counts as "booted")
 * @param description the format-2 description this was read from, or null for the test VM's
 *     vm.json; when set, {@code kernel} and {@code initrd} are null under firmware boot and {@code
 *     disk} is the first of its disks
 */
public record VmDefinition(
    Path descriptor,
    Path kernel,
    Path initrd,
    Path disk,
    String baseCmdline,
    int memoryMib,
    String mac,
    String guestIp,
    int prefixLength,
    String readyLinePrefix,
    VmDescription description) {

  public static final String DESCRIPTOR_NAME = "vm.json";

  public VmDefinition {
    Objects.requireNonNull(descriptor, "descriptor");
    if (description == null) {
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(initrd, "initrd");
    }
    Objects.requireNonNull(disk, "disk");
    Objects.requireNonNull(baseCmdline, "baseCmdline");
    Objects.requireNonNull(mac, "mac");
    Objects.requireNonNull(guestIp, "guestIp");
    Objects.requireNonNull(readyLinePrefix, "readyLinePrefix");
  }

  /**
   * Reads a vm.json, or the vm.json in a directory.
   *
   * @throws BadInputException naming the file and the missing or invalid member
   */
  public static VmDefinition load(Path dirOrDescriptor) throws BadInputException {
    Path descriptor =
        Files.isDirectory(dirOrDescriptor)
            ? dirOrDescriptor.resolve(DESCRIPTOR_NAME)
            : dirOrDescriptor;
    descriptor = descriptor.toAbsolutePath().normalize();
    if (!Files.isRegularFile(descriptor)) {
      throw new BadInputException(
          "VM description " + descriptor + " does not exist (expected a VM directory or vm.json)");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(descriptor.toFile());
    } catch (JsonProcessingException e) {
      throw new BadInputException(descriptor + " is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + descriptor + ": " + e.getMessage(), e);
    }
    if (root.path("format").asInt(1) == VmDescription.CURRENT_FORMAT) {
      return described(descriptor);
    }
    Path dir = descriptor.getParent();
    JsonNode network = root.path("network");
    return new VmDefinition(
        descriptor,
        existingFile(dir, root, "kernel", descriptor),
        existingFile(dir, root, "initrd", descriptor),
        existingFile(dir, root, "disk", descriptor),
        root.path("cmdline").asText("console=ttyS0"),
        root.path("machine").path("memoryMiB").asInt(256),
        network.path("mac").asText("52:54:00:12:34:56"),
        network.path("guestIp").asText("10.77.0.10"),
        network.path("prefixLength").asInt(24),
        root.path("console").path("readyLinePrefix").asText("FTVM ready "),
        null);
  }

  /** A format-2 description (firmware or kernel boot, several disks), checked in full. */
  private static VmDefinition described(Path descriptor) throws BadInputException {
    VmDescription vm;
    try {
      vm = new VmDescriptions().load(descriptor);
    } catch (UnsupportedVmException e) {
      throw new BadInputException(e.getMessage(), e);
    }
    String cidr = vm.guestCidr().orElse("0.0.0.0/0");
    VmBoot.DirectKernel kernel = vm.boot() instanceof VmBoot.DirectKernel k ? k : null;
    return new VmDefinition(
        descriptor,
        kernel == null ? null : kernel.kernel(),
        kernel == null ? null : kernel.initrd(),
        vm.disks().get(0).file(),
        kernel == null ? "" : kernel.cmdline(),
        vm.memoryMib(),
        vm.nics().get(0).mac(),
        cidr.substring(0, cidr.indexOf('/')),
        Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1)),
        vm.readyLinePrefix().orElse(""),
        vm);
  }

  private static Path existingFile(Path dir, JsonNode root, String member, Path descriptor)
      throws BadInputException {
    String name = root.path(member).path("file").asText("");
    if (name.isEmpty()) {
      throw new BadInputException(descriptor + ": missing \"" + member + "\".\"file\"");
    }
    Path file = dir.resolve(name).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(descriptor + ": " + member + " file " + file + " does not exist");
    }
    return file;
  }

  /** The guest's address with prefix, as the test VM's {@code ftvm.ip=} expects it. */
  public String guestCidr() {
    return guestIp + "/" + prefixLength;
  }

  /** Kernel command line for a workload: base line, workload and static address. */
  public String cmdlineFor(String workload) {
    if (description != null) {
      return baseCmdline; // the admin's own guest knows nothing of ftvm's workloads
    }
    return baseCmdline + " ftvm.workload=" + workload + " ftvm.ip=" + guestCidr();
  }
}
