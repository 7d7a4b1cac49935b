package io.ftvm.supervisor.vm;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/**
 * A libvirt domain XML as a {@link VmDescription}: maps what maps (memory, vCPUs, machine, boot,
 * file-backed disks, interfaces with their MAC and model) and lists everything else as a problem,
 * in the same words as {@link VmDescriptionValidator}, which then checks the mapped values.
 *
 * <p>The domain type ({@code kvm}/{@code qemu}) only says how libvirt would run it; ftvm always
 * runs TCG, so it is not a problem by itself, but everything that exists only under KVM is (host
 * CPU models, KVM features). Devices libvirt adds to every domain on its own (controllers, PS/2
 * input, the serial console, the memory balloon) have no counterpart in ftvm's fixed {@code pc}
 * shape and are left out silently; every other device is refused rather than dropped.
 */
public final class LibvirtDomainMapping {
  /** What was mapped and what cannot be. */
  public record Result(Optional<VmDescription> description, List<String> problems) {
    public Result {
      problems = List.copyOf(problems);
    }
  }

  /** Harmless on pc under TCG: QEMU's pc machine provides them anyway. */
  private static final Set<String> HARMLESS_FEATURES = Set.of("acpi", "apic", "pae", "vmport");

  private static final Set<String> IMPLICIT_DEVICES =
      Set.of("emulator", "controller", "serial", "console", "memballoon");

  public Result map(String domainXml, Path source) {
    Document doc;
    try {
      doc = parse(domainXml);
    } catch (IOException | SAXException | ParserConfigurationException e) {
      return new Result(
          Optional.empty(), List.of(source + " is not a libvirt domain XML: " + e.getMessage()));
    }
    Element domain = doc.getDocumentElement();
    if (!"domain".equals(domain.getTagName())) {
      return new Result(
          Optional.empty(),
          List.of(source + ": root element is <" + domain.getTagName() + ">, not <domain>"));
    }
    List<String> problems = new ArrayList<>();
    String type = domain.getAttribute("type");
    if (!type.isEmpty() && !Set.of("kvm", "qemu").contains(type)) {
      problems.add("domain type \"" + type + "\": only QEMU/KVM domains can be imported");
    }
    String name = text(domain, "name").orElse("imported");
    int memoryMib = memoryMib(domain, problems);
    int vcpus = text(domain, "vcpu").map(v -> parseInt(v, "vcpu", problems)).orElse(1);
    Element os = child(domain, "os");
    String machine = machine(os);
    VmBoot boot = boot(os, problems);
    String cpu = cpu(child(domain, "cpu"), problems);
    features(child(domain, "features"), problems);
    List<VmDisk> disks = new ArrayList<>();
    List<VmNic> nics = new ArrayList<>();
    devices(child(domain, "devices"), disks, nics, problems);
    VmDescription description =
        new VmDescription(
            source,
            name,
            memoryMib,
            vcpus,
            machine,
            cpu,
            VmDescription.DEFAULT_ACCELERATOR,
            boot,
            disks,
            nics,
            Optional.empty(),
            Optional.empty());
    return new Result(Optional.of(description), problems);
  }

  private static Document parse(String xml)
      throws ParserConfigurationException, IOException, SAXException {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    // A domain XML never needs entities; refusing them keeps a hostile file from reading others.
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
    factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
    factory.setExpandEntityReferences(false);
    return factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
  }

  private static int memoryMib(Element domain, List<String> problems) {
    Element memory = child(domain, "memory");
    if (memory == null) {
      problems.add("<memory> is missing");
      return 0;
    }
    long value;
    try {
      value = Long.parseLong(memory.getTextContent().trim());
    } catch (NumberFormatException e) {
      problems.add("<memory> \"" + memory.getTextContent().trim() + "\" is not a number");
      return 0;
    }
    String unit = memory.getAttribute("unit").isEmpty() ? "KiB" : memory.getAttribute("unit");
    long bytes =
        switch (unit) {
          case "b", "bytes" -> value;
          case "KB" -> value * 1000;
          case "k", "KiB" -> value << 10;
          case "MB" -> value * 1000_000;
          case "M", "MiB" -> value << 20;
          case "GB" -> value * 1000_000_000;
          case "G", "GiB" -> value << 30;
          case "TB" -> value * 1000_000_000_000L;
          case "T", "TiB" -> value << 40;
          default -> {
            problems.add("<memory unit='" + unit + "'> is not a unit libvirt knows");
            yield 0;
          }
        };
    return (int) Math.min(Integer.MAX_VALUE, bytes >> 20);
  }

  /** "pc-i440fx-7.2" and "pc" are the pc machine; q35 and others keep their name (refused). */
  private static String machine(Element os) {
    Element type = child(os, "type");
    String machine = type == null ? "" : type.getAttribute("machine");
    if (machine.isEmpty() || machine.equals("pc") || machine.startsWith("pc-i440fx")) {
      return VmDescription.DEFAULT_MACHINE;
    }
    return machine;
  }

  private static VmBoot boot(Element os, List<String> problems) {
    if (os == null) {
      return new VmBoot.Firmware();
    }
    Element loader = child(os, "loader");
    if (loader != null || "efi".equals(os.getAttribute("firmware"))) {
      problems.add(
          "<os> UEFI firmware"
              + (loader == null ? "" : " (" + loader.getTextContent().trim() + ")")
              + ": only BIOS (SeaBIOS) boot or a direct kernel");
    }
    for (Element boot : children(os, "boot")) {
      String dev = boot.getAttribute("dev");
      if (!dev.equals("hd")) {
        problems.add("<boot dev='" + dev + "'>: ftvm boots from the first disk only");
      }
    }
    Optional<String> kernel = text(os, "kernel");
    if (kernel.isEmpty()) {
      return new VmBoot.Firmware();
    }
    return new VmBoot.DirectKernel(
        Path.of(kernel.get()),
        text(os, "initrd").map(Path::of).orElse(null),
        text(os, "cmdline").orElse(""));
  }

  private static String cpu(Element cpu, List<String> problems) {
    if (cpu == null) {
      return VmDescription.DEFAULT_CPU;
    }
    String mode = cpu.getAttribute("mode").isEmpty() ? "custom" : cpu.getAttribute("mode");
    if (!mode.equals("custom")) {
      problems.add(
          "<cpu mode='"
              + mode
              + "'>: KVM-only (ftvm runs the TCG CPU qemu64; remove <cpu> or use model qemu64)");
      return VmDescription.DEFAULT_CPU; // reported here already, in libvirt's terms
    }
    Element topology = child(cpu, "topology");
    if (topology != null) {
      for (String part : List.of("sockets", "dies", "cores", "threads")) {
        String value = topology.getAttribute(part);
        if (!value.isEmpty() && !value.equals("1")) {
          problems.add("<cpu><topology " + part + "='" + value + "'>: ftvm runs exactly one vCPU");
        }
      }
    }
    return text(cpu, "model").orElse(VmDescription.DEFAULT_CPU);
  }

  private static void features(Element features, List<String> problems) {
    if (features == null) {
      return;
    }
    for (Element feature : elements(features.getChildNodes())) {
      String name = feature.getTagName();
      if (name.equals("kvm")) {
        problems.add("<features><kvm>: KVM-only");
      } else if (!HARMLESS_FEATURES.contains(name)) {
        problems.add("<features><" + name + ">: not supported under record/replay");
      }
    }
  }

  private static void devices(
      Element devices, List<VmDisk> disks, List<VmNic> nics, List<String> problems) {
    if (devices == null) {
      return;
    }
    List<Element> diskElements = new ArrayList<>();
    for (Element device : elements(devices.getChildNodes())) {
      switch (device.getTagName()) {
        case "disk" -> diskElements.add(device);
        case "interface" -> nic(device, nics, problems);
        case "input" -> {
          if (!"ps2".equals(device.getAttribute("bus"))) {
            problems.add(
                "<input type='"
                    + device.getAttribute("type")
                    + "' bus='"
                    + device.getAttribute("bus")
                    + "'>: not supported (ftvm's guest has only the PS/2 devices of pc)");
          }
        }
        case "audio" -> {
          // libvirt adds <audio type='none'/> to every domain; a real backend would be a device.
          if (!"none".equals(device.getAttribute("type"))) {
            problems.add(
                "<audio type='"
                    + device.getAttribute("type")
                    + "'>: not supported under record/replay");
          }
        }
        case "hostdev" ->
            problems.add(
                "<hostdev"
                    + describeHostdev(device)
                    + ">: device passthrough cannot be recorded, replayed or replicated");
        case "graphics", "video" ->
            problems.add(
                "<"
                    + device.getTagName()
                    + (device.hasAttribute("type")
                        ? " type='" + device.getAttribute("type") + "'"
                        : "")
                    + ">: ftvm runs VMs headless (serial console only); remove it");
        default -> {
          if (!IMPLICIT_DEVICES.contains(device.getTagName())) {
            problems.add(
                "<"
                    + device.getTagName()
                    + (device.hasAttribute("type")
                        ? " type='" + device.getAttribute("type") + "'"
                        : "")
                    + ">: device not supported under record/replay");
          }
        }
      }
    }
    // Firmware boot starts the first disk: the lowest <boot order>, else document order.
    diskElements.sort(Comparator.comparingInt(LibvirtDomainMapping::bootOrder));
    for (Element disk : diskElements) {
      disk(disk, disks, problems);
    }
  }

  private static int bootOrder(Element disk) {
    Element boot = child(disk, "boot");
    if (boot == null || boot.getAttribute("order").isEmpty()) {
      return Integer.MAX_VALUE;
    }
    try {
      return Integer.parseInt(boot.getAttribute("order"));
    } catch (NumberFormatException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static void disk(Element disk, List<VmDisk> disks, List<String> problems) {
    Element target = child(disk, "target");
    String dev = target == null ? "?" : target.getAttribute("dev");
    String what = "<disk " + dev + ">";
    String device = disk.getAttribute("device").isEmpty() ? "disk" : disk.getAttribute("device");
    if (!device.equals("disk")) {
      problems.add(
          what + ": device='" + device + "' is not supported (only disks, no CD-ROM/floppy/LUN)");
      return;
    }
    String type = disk.getAttribute("type");
    Element source = child(disk, "source");
    if (!type.equals("file") || source == null || source.getAttribute("file").isEmpty()) {
      problems.add(
          what
              + ": type='"
              + type
              + "' is not supported (only image files, which ftvm copies for each replica)");
      return;
    }
    Element driver = child(disk, "driver");
    String format =
        driver == null || driver.getAttribute("type").isEmpty()
            ? VmDisk.RAW
            : driver.getAttribute("type");
    String bus = target == null ? VmDisk.VIRTIO : target.getAttribute("bus");
    if (bus.isEmpty()) {
      bus = dev.startsWith("vd") ? VmDisk.VIRTIO : dev.startsWith("hd") ? VmDisk.IDE : dev;
    }
    disks.add(
        new VmDisk(
            Path.of(source.getAttribute("file")),
            format,
            bus,
            child(disk, "readonly") != null,
            child(disk, "shareable") != null));
  }

  private static void nic(Element nic, List<VmNic> nics, List<String> problems) {
    String type = nic.getAttribute("type");
    if (type.equals("hostdev") || type.equals("vdpa")) {
      problems.add("<interface type='" + type + "'>: passthrough cannot be recorded or replicated");
      return;
    }
    Element mac = child(nic, "mac");
    Element model = child(nic, "model");
    String modelType = model == null ? "rtl8139" : model.getAttribute("type");
    nics.add(
        new VmNic(
            mac == null ? "" : mac.getAttribute("address"),
            modelType.equals("virtio") ? VmNic.VIRTIO_NET : modelType));
  }

  private static String describeHostdev(Element hostdev) {
    Element address = child(child(hostdev, "source"), "address");
    StringBuilder text = new StringBuilder();
    if (hostdev.hasAttribute("type")) {
      text.append(" type='").append(hostdev.getAttribute("type")).append("'");
    }
    if (address != null) {
      for (String attribute : List.of("domain", "bus", "slot", "function")) {
        if (address.hasAttribute(attribute)) {
          text.append(' ').append(attribute).append("=").append(address.getAttribute(attribute));
        }
      }
    }
    return text.toString();
  }

  private static int parseInt(String value, String what, List<String> problems) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      problems.add("<" + what + "> \"" + value + "\" is not a number");
      return 0;
    }
  }

  private static Element child(Element parent, String name) {
    if (parent == null) {
      return null;
    }
    for (Element element : elements(parent.getChildNodes())) {
      if (element.getTagName().equals(name)) {
        return element;
      }
    }
    return null;
  }

  private static List<Element> children(Element parent, String name) {
    return elements(parent.getChildNodes()).stream()
        .filter(e -> e.getTagName().equals(name))
        .toList();
  }

  private static Optional<String> text(Element parent, String name) {
    Element element = child(parent, name);
    return element == null ? Optional.empty() : Optional.of(element.getTextContent().trim());
  }

  private static List<Element> elements(NodeList nodes) {
    List<Element> elements = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i).getNodeType() == Node.ELEMENT_NODE) {
        elements.add((Element) nodes.item(i));
      }
    }
    return elements;
  }
}
