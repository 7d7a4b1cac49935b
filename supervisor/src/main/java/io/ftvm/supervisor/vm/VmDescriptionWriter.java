package io.ftvm.supervisor.vm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Writes a description in the current format ({@link VmDescription#CURRENT_FORMAT}). */
public final class VmDescriptionWriter {
  private final ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public ObjectNode toJson(VmDescription vm) {
    ObjectNode root = mapper.createObjectNode();
    root.put("format", VmDescription.CURRENT_FORMAT);
    root.put("name", vm.name());
    root.put("memoryMiB", vm.memoryMib());
    root.put("vcpus", vm.vcpus());
    root.put("machine", vm.machine());
    root.put("cpu", vm.cpuModel());
    root.put("accelerator", vm.accelerator());
    ObjectNode boot = root.putObject("boot");
    if (vm.boot() instanceof VmBoot.DirectKernel kernel) {
      boot.put("from", "kernel");
      boot.put("kernel", kernel.kernel().toString());
      if (kernel.initrd() != null) {
        boot.put("initrd", kernel.initrd().toString());
      }
      boot.put("cmdline", kernel.cmdline());
    } else {
      boot.put("from", "disk");
    }
    ArrayNode disks = root.putArray("disks");
    for (VmDisk disk : vm.disks()) {
      ObjectNode node = disks.addObject();
      node.put("file", disk.file().toString());
      node.put("format", disk.format());
      node.put("bus", disk.bus());
      if (disk.readOnly()) {
        node.put("readOnly", true);
      }
      if (disk.shared()) {
        node.put("shared", true);
      }
    }
    ArrayNode nics = root.putArray("nics");
    for (VmNic nic : vm.nics()) {
      nics.addObject().put("mac", nic.mac()).put("model", nic.model());
    }
    ObjectNode console = root.putObject("console");
    vm.readyLinePrefix().ifPresent(prefix -> console.put("readyLinePrefix", prefix));
    vm.guestCidr().ifPresent(cidr -> root.put("guestIp", cidr));
    vm.readinessProbe()
        .ifPresent(
            probe -> {
              ObjectNode readiness = root.putObject("readiness");
              if (probe.byTcp()) {
                readiness.put("tcpPort", probe.tcpPort());
              } else {
                readiness.put("consolePattern", probe.consolePattern());
              }
            });
    return root;
  }

  public String toText(VmDescription vm) {
    try {
      return mapper.writeValueAsString(toJson(vm)) + System.lineSeparator();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void write(VmDescription vm, Path file) throws IOException {
    java.nio.file.Files.writeString(file, toText(vm));
  }
}
