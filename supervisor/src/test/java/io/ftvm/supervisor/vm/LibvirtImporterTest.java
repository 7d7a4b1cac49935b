package io.ftvm.supervisor.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibvirtImporterTest {
  @TempDir Path dir;

  private final LibvirtImporter importer =
      new LibvirtImporter(
          (uri, name) -> {
            throw new IOException("no daemon in unit tests");
          });

  @BeforeEach
  void images() throws IOException {
    Files.write(dir.resolve("data.img"), new byte[4096]);
    Files.write(dir.resolve("root.qcow2"), new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3});
    Files.write(dir.resolve("vmlinuz"), new byte[16]);
    Files.write(dir.resolve("initrd.img"), new byte[16]);
  }

  /** A fixture with its image paths pointing into this test's directory. */
  private LibvirtImporter.Imported importFixture(String name) throws IOException {
    try (InputStream in = getClass().getResourceAsStream("libvirt/" + name)) {
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      Path file = dir.resolve(name);
      Files.writeString(file, xml.replace("@DIR@", dir.toString()));
      return importer.fromFile(file);
    }
  }

  @Test
  void firmwareBootQcow2VirtioNic() throws IOException {
    LibvirtImporter.Imported imported = importFixture("firmware-qcow2-virtio.xml");
    assertThat(imported.problems()).isEmpty();
    VmDescription vm = imported.description().orElseThrow();
    assertThat(vm.name()).isEqualTo("pg");
    assertThat(vm.memoryMib()).isEqualTo(1024);
    assertThat(vm.vcpus()).isEqualTo(1);
    assertThat(vm.machine()).isEqualTo("pc");
    assertThat(vm.accelerator()).isEqualTo("tcg");
    assertThat(vm.boot()).isInstanceOf(VmBoot.Firmware.class);
    // <boot order='1'> puts the qcow2 root disk first although it is second in the XML.
    assertThat(vm.disks())
        .containsExactly(
            new VmDisk(dir.resolve("root.qcow2"), "qcow2", "virtio", false, false),
            new VmDisk(dir.resolve("data.img"), "raw", "virtio", false, false));
    assertThat(vm.nics()).containsExactly(new VmNic("52:54:00:6b:3c:11", "virtio-net"));
    assertThat(vm.readyLinePrefix()).isEmpty();
  }

  @Test
  void importedDescriptionIsWrittenAndChecksClean() throws IOException {
    VmDescription vm = importFixture("firmware-qcow2-virtio.xml").description().orElseThrow();
    Path file = dir.resolve("pg.json");
    new VmDescriptionWriter().write(vm, file);
    VmDescriptions.Checked checked = new VmDescriptions().check(file);
    assertThat(checked.problems()).isEmpty();
    assertThat(checked.description())
        .usingRecursiveComparison()
        .ignoringFields("source")
        .isEqualTo(vm);
  }

  @Test
  void directKernelOnIde() throws IOException {
    LibvirtImporter.Imported imported = importFixture("direct-kernel.xml");
    assertThat(imported.problems()).isEmpty();
    VmDescription vm = imported.description().orElseThrow();
    assertThat(vm.memoryMib()).isEqualTo(256);
    assertThat(vm.boot())
        .isEqualTo(
            new VmBoot.DirectKernel(
                dir.resolve("vmlinuz"), dir.resolve("initrd.img"), "console=ttyS0 root=/dev/sda"));
    assertThat(vm.disks())
        .containsExactly(new VmDisk(dir.resolve("data.img"), "raw", "ide", false, false));
  }

  @Test
  void twoVcpusAreRefused() throws IOException {
    assertThat(importFixture("two-vcpus.xml").problems())
        .containsExactly(
            "vcpus 2: ftvm runs exactly one vCPU (QEMU record/replay is uniprocessor)");
  }

  @Test
  void hostdevIsRefused() throws IOException {
    assertThat(importFixture("hostdev.xml").problems())
        .containsExactly(
            "<hostdev type='pci' domain=0x0000 bus=0x03 slot=0x00 function=0x0>: device"
                + " passthrough cannot be recorded, replayed or replicated");
  }

  @Test
  void everyProblemOfADesktopDomainIsListedTogether() throws IOException {
    List<String> problems = importFixture("many-problems.xml").problems();
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("<os> UEFI firmware (/usr/share/OVMF"))
        .anySatisfy(p -> assertThat(p).startsWith("<boot dev='cdrom'>"))
        .anySatisfy(p -> assertThat(p).startsWith("<cpu mode='host-passthrough'>: KVM-only"))
        .anySatisfy(p -> assertThat(p).isEqualTo("<features><kvm>: KVM-only"))
        .anySatisfy(p -> assertThat(p).startsWith("<disk vda>: type='block'"))
        .anySatisfy(p -> assertThat(p).startsWith("<disk sda>: device='cdrom'"))
        .anySatisfy(p -> assertThat(p).startsWith("<input type='tablet' bus='usb'>"))
        .anySatisfy(p -> assertThat(p).startsWith("<graphics type='spice'>"))
        .anySatisfy(p -> assertThat(p).startsWith("<video>"))
        .anySatisfy(p -> assertThat(p).startsWith("<sound>"))
        .anySatisfy(p -> assertThat(p).startsWith("vcpus 4"))
        .anySatisfy(p -> assertThat(p).startsWith("machine \"pc-q35-7.2\""))
        .anySatisfy(p -> assertThat(p).contains("bus \"sata\""))
        .anySatisfy(p -> assertThat(p).contains("a shared disk cannot be replicated"))
        .anySatisfy(p -> assertThat(p).contains("model \"e1000e\""));
    assertThat(problems).hasSize(15);
  }

  @Test
  void notADomain() {
    LibvirtImporter.Imported imported = importer.fromXml("<network/>", Path.of("x.xml"));
    assertThat(imported.description()).isEqualTo(Optional.empty());
    assertThat(imported.problems())
        .containsExactly("x.xml: root element is <network>, not <domain>");
    assertThat(importer.fromXml("<domain", Path.of("y.xml")).problems())
        .singleElement()
        .asString()
        .startsWith("y.xml is not a libvirt domain XML");
  }
}
