package io.ftvm.supervisor.vm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a VM description file. Two formats:
 *
 * <ul>
 *   <li>{@code "format": 2} (this class's own, written by {@code ftvm vm import}): every member is
 *       meaningful, and a member ftvm does not know is a problem, because ignoring something the
 *       admin set would run a different VM than described;
 *   <li>{@code "format": 1}, the test VM's {@code vm.json} from {@code test-vms/build.sh}: kernel,
 *       initrd and one raw virtio disk; its build metadata (hashes, packages, services) is ignored.
 * </ul>
 *
 * Parsing never stops at the first problem: it collects all of them (see {@link Parsed}).
 */
public final class VmDescriptionParser {
  public static final String DEFAULT_NAME = "vm.json";

  private static final Set<String> TOP_MEMBERS =
      Set.of(
          "format",
          "name",
          "memoryMiB",
          "vcpus",
          "machine",
          "cpu",
          "accelerator",
          "boot",
          "disks",
          "nics",
          "console",
          "guestIp",
          "readiness");
  private static final Set<String> KERNEL_BOOT_MEMBERS =
      Set.of("from", "kernel", "initrd", "cmdline");
  private static final Set<String> DISK_BOOT_MEMBERS = Set.of("from");
  private static final Set<String> DISK_MEMBERS =
      Set.of("file", "format", "bus", "readOnly", "shared");
  private static final Set<String> NIC_MEMBERS = Set.of("mac", "model");

  /** Members an admin may write for passthrough; named specifically in the refusal. */
  private static final Set<String> PASSTHROUGH_MEMBERS =
      Set.of("hostdevs", "hostdev", "passthrough");

  private static final Set<String> CONSOLE_MEMBERS = Set.of("readyLinePrefix");
  private static final Set<String> READINESS_MEMBERS = Set.of("consolePattern", "tcpPort");

  /** What was read, and every problem met on the way (empty when the file was well-formed). */
  public record Parsed(Optional<VmDescription> description, List<String> problems) {
    public Parsed {
      problems = List.copyOf(problems);
    }
  }

  /** Reads {@code dirOrFile} (a description file, or a directory holding {@code vm.json}). */
  public Parsed parse(Path dirOrFile) {
    Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(DEFAULT_NAME) : dirOrFile;
    file = file.toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      return new Parsed(Optional.empty(), List.of(file + " does not exist"));
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (JsonProcessingException e) {
      return new Parsed(
          Optional.empty(), List.of(file + " is not valid JSON: " + e.getOriginalMessage()));
    } catch (IOException e) {
      return new Parsed(Optional.empty(), List.of("cannot read " + file + ": " + e.getMessage()));
    }
    return parse(root, file, file.getParent());
  }

  /** Reads a description already in memory; relative file names resolve against {@code dir}. */
  public Parsed parse(JsonNode root, Path source, Path dir) {
    List<String> problems = new ArrayList<>();
    if (root == null || !root.isObject()) {
      return new Parsed(Optional.empty(), List.of(source + ": not a JSON object"));
    }
    int format = root.path("format").asInt(1);
    return switch (format) {
      case 1 -> new Parsed(Optional.of(legacy(root, source, dir)), problems);
      case VmDescription.CURRENT_FORMAT -> current(root, source, dir, problems);
      default ->
          new Parsed(
              Optional.empty(),
              List.of(
                  source
                      + ": \"format\": "
                      + root.path("format")
                      + " is unknown (this ftvm reads formats 1 and 2)"));
    };
  }

  /** The test VM's vm.json (test-vms/build.sh). */
  private static VmDescription legacy(JsonNode root, Path source, Path dir) {
    JsonNode network = root.path("network");
    Optional<String> cidr =
        network.hasNonNull("guestIp")
            ? Optional.of(
                network.path("guestIp").asText() + "/" + network.path("prefixLength").asInt(24))
            : Optional.empty();
    JsonNode machine = root.path("machine");
    return new VmDescription(
        source,
        root.path("name").asText(dir.getFileName() == null ? "vm" : dir.getFileName().toString()),
        machine.path("memoryMiB").asInt(256),
        1,
        machine.path("type").asText(VmDescription.DEFAULT_MACHINE),
        machine.path("cpu").asText(VmDescription.DEFAULT_CPU),
        VmDescription.DEFAULT_ACCELERATOR,
        new VmBoot.DirectKernel(
            dir.resolve(root.path("kernel").path("file").asText("vmlinuz")).normalize(),
            dir.resolve(root.path("initrd").path("file").asText("initrd.img")).normalize(),
            root.path("cmdline").asText("console=ttyS0")),
        List.of(
            new VmDisk(
                dir.resolve(root.path("disk").path("file").asText("disk.img")).normalize(),
                root.path("disk").path("format").asText(VmDisk.RAW),
                legacyName(machine.path("disk").asText("virtio-blk-pci"), "-blk-pci"),
                false,
                false)),
        List.of(
            new VmNic(
                network.path("mac").asText("52:54:00:12:34:56"),
                legacyName(machine.path("nic").asText("virtio-net-pci"), "-pci"))),
        Optional.of(root.path("console").path("readyLinePrefix").asText("FTVM ready ")),
        cidr);
  }

  /** "virtio-blk-pci" → "virtio", "virtio-net-pci" → "virtio-net". */
  private static String legacyName(String qemuDevice, String suffix) {
    return qemuDevice.endsWith(suffix)
        ? qemuDevice.substring(0, qemuDevice.length() - suffix.length())
        : qemuDevice;
  }

  private static Parsed current(JsonNode root, Path source, Path dir, List<String> problems) {
    unknownMembers(root, TOP_MEMBERS, "", problems);
    String name = text(root, "name", "", "", problems);
    if (name.isBlank()) {
      name = source.getFileName() == null ? "vm" : source.getFileName().toString();
    }
    int memory = integer(root, "memoryMiB", -1, "", problems);
    if (memory == -1) {
      problems.add("\"memoryMiB\" is missing (the guest's memory in MiB)");
    }
    int vcpus = integer(root, "vcpus", 1, "", problems);
    String machine = text(root, "machine", VmDescription.DEFAULT_MACHINE, "", problems);
    String cpu = text(root, "cpu", VmDescription.DEFAULT_CPU, "", problems);
    String accelerator = text(root, "accelerator", VmDescription.DEFAULT_ACCELERATOR, "", problems);
    VmBoot boot = boot(root.path("boot"), dir, problems);
    List<VmDisk> disks = new ArrayList<>();
    JsonNode disksNode = root.path("disks");
    if (!disksNode.isMissingNode() && !disksNode.isArray()) {
      problems.add("\"disks\" must be an array");
    }
    for (int i = 0; i < disksNode.size(); i++) {
      JsonNode disk = disksNode.get(i);
      String where = "disks[" + i + "].";
      unknownMembers(disk, DISK_MEMBERS, where, problems);
      String file = text(disk, "file", "", where, problems);
      if (file.isEmpty()) {
        problems.add(where + "file is missing");
      }
      disks.add(
          new VmDisk(
              dir.resolve(file).normalize(),
              text(disk, "format", VmDisk.RAW, where, problems),
              text(disk, "bus", VmDisk.VIRTIO, where, problems),
              disk.path("readOnly").asBoolean(false),
              disk.path("shared").asBoolean(false)));
    }
    List<VmNic> nics = new ArrayList<>();
    JsonNode nicsNode = root.path("nics");
    if (!nicsNode.isMissingNode() && !nicsNode.isArray()) {
      problems.add("\"nics\" must be an array");
    }
    for (int i = 0; i < nicsNode.size(); i++) {
      JsonNode nic = nicsNode.get(i);
      String where = "nics[" + i + "].";
      unknownMembers(nic, NIC_MEMBERS, where, problems);
      String mac = text(nic, "mac", "", where, problems);
      if (mac.isEmpty()) {
        problems.add(where + "mac is missing");
      }
      nics.add(new VmNic(mac, text(nic, "model", VmNic.VIRTIO_NET, where, problems)));
    }
    JsonNode console = root.path("console");
    unknownMembers(console, CONSOLE_MEMBERS, "console.", problems);
    Optional<String> ready =
        console.hasNonNull("readyLinePrefix")
            ? Optional.of(console.path("readyLinePrefix").asText())
            : Optional.empty();
    Optional<String> cidr =
        root.hasNonNull("guestIp") ? Optional.of(root.path("guestIp").asText()) : Optional.empty();
    Optional<ReadinessProbe> probe = readiness(root.path("readiness"), problems);
    VmDescription description =
        new VmDescription(
            source,
            name,
            Math.max(memory, 0),
            vcpus,
            machine,
            cpu,
            accelerator,
            boot,
            disks,
            nics,
            ready,
            cidr,
            probe);
    return new Parsed(Optional.of(description), problems);
  }

  /** {@code "readiness": {"tcpPort": 5432}} or {@code {"consolePattern": "login: $"}}. */
  private static Optional<ReadinessProbe> readiness(JsonNode node, List<String> problems) {
    if (node.isMissingNode() || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isObject()) {
      problems.add("\"readiness\" must be an object: {\"tcpPort\": N} or {\"consolePattern\": RE}");
      return Optional.empty();
    }
    unknownMembers(node, READINESS_MEMBERS, "readiness.", problems);
    String pattern =
        node.hasNonNull("consolePattern") ? node.path("consolePattern").asText() : null;
    int port = integer(node, "tcpPort", 0, "readiness.", problems);
    Optional<String> problem = ReadinessProbe.problem(pattern, port);
    if (problem.isPresent()) {
      problems.add("readiness: " + problem.get());
      return Optional.empty();
    }
    return Optional.of(new ReadinessProbe(pattern, port));
  }

  private static VmBoot boot(JsonNode boot, Path dir, List<String> problems) {
    String from = boot.path("from").asText("disk");
    switch (from) {
      case "disk" -> {
        unknownMembers(boot, DISK_BOOT_MEMBERS, "boot.", problems);
        return new VmBoot.Firmware();
      }
      case "kernel" -> {
        unknownMembers(boot, KERNEL_BOOT_MEMBERS, "boot.", problems);
        String kernel = text(boot, "kernel", "", "boot.", problems);
        if (kernel.isEmpty()) {
          problems.add("boot.kernel is missing (boot.from is \"kernel\")");
        }
        String initrd = text(boot, "initrd", "", "boot.", problems);
        return new VmBoot.DirectKernel(
            dir.resolve(kernel).normalize(),
            initrd.isEmpty() ? null : dir.resolve(initrd).normalize(),
            text(boot, "cmdline", "", "boot.", problems));
      }
      default -> {
        problems.add(
            "boot.from \"" + from + "\" is unknown: \"disk\" (firmware) or \"kernel\" (direct)");
        return new VmBoot.Firmware();
      }
    }
  }

  private static void unknownMembers(
      JsonNode node, Set<String> known, String where, List<String> problems) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (PASSTHROUGH_MEMBERS.contains(name)) {
        problems.add(
            where
                + name
                + ": device passthrough cannot be recorded, replayed or replicated to a backup");
      } else if (!known.contains(name)) {
        problems.add(
            where
                + name
                + ": unknown member (ftvm refuses what it would otherwise silently ignore)");
      }
    }
  }

  private static String text(
      JsonNode node, String member, String fallback, String where, List<String> problems) {
    JsonNode value = node.path(member);
    if (value.isMissingNode() || value.isNull()) {
      return fallback;
    }
    if (!value.isTextual()) {
      problems.add(where + member + " must be a string, not " + value);
      return fallback;
    }
    return value.asText();
  }

  private static int integer(
      JsonNode node, String member, int fallback, String where, List<String> problems) {
    JsonNode value = node.path(member);
    if (value.isMissingNode() || value.isNull()) {
      return fallback;
    }
    if (!value.canConvertToInt() || !value.isIntegralNumber()) {
      problems.add(where + member + " must be a whole number, not " + value);
      return fallback;
    }
    return value.asInt();
  }
}
