package io.ftvm.supervisor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmDescriptionTest {
  @TempDir Path dir;

  private final VmDescriptions descriptions = new VmDescriptions();

  @BeforeEach
  void images() throws IOException {
    Files.write(dir.resolve("disk.img"), new byte[4096]);
    Files.write(dir.resolve("data.qcow2"), new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3});
    Files.write(dir.resolve("vmlinuz"), new byte[16]);
    Files.write(dir.resolve("initrd.img"), new byte[16]);
  }

  private Path write(String json) throws IOException {
    Path file = dir.resolve("vm.json");
    Files.writeString(file, json);
    return file;
  }

  private static final String FIRMWARE_VM =
      """
      {"format": 2, "name": "db", "memoryMiB": 1024,
       "boot": {"from": "disk"},
       "disks": [{"file": "disk.img", "format": "raw", "bus": "virtio"},
                 {"file": "data.qcow2", "format": "qcow2", "bus": "ide"}],
       "nics": [{"mac": "52:54:00:aa:bb:cc"}],
       "guestIp": "192.168.1.20/24"}
      """;

  @Test
  void firmwareBootWithTwoDisksIsRunnable() throws Exception {
    VmDescription vm = descriptions.load(write(FIRMWARE_VM));
    assertThat(vm.boot()).isInstanceOf(VmBoot.Firmware.class);
    assertThat(vm.vcpus()).isEqualTo(1);
    assertThat(vm.disks())
        .containsExactly(
            new VmDisk(dir.resolve("disk.img"), "raw", "virtio", false, false),
            new VmDisk(dir.resolve("data.qcow2"), "qcow2", "ide", false, false));
    assertThat(vm.nics()).containsExactly(new VmNic("52:54:00:aa:bb:cc", "virtio-net"));
    assertThat(vm.guestCidr()).contains("192.168.1.20/24");
    assertThat(vm.readyLinePrefix()).isEmpty();
    assertThat(vm.readiness()).contains("status running").contains("first console byte");
  }

  @Test
  void directKernelBoot() throws Exception {
    VmDescription vm =
        descriptions.load(
            write(
                """
                {"format": 2, "memoryMiB": 256,
                 "boot": {"from": "kernel", "kernel": "vmlinuz", "initrd": "initrd.img",
                          "cmdline": "console=ttyS0"},
                 "disks": [{"file": "disk.img"}],
                 "nics": [{"mac": "52:54:00:12:34:56", "model": "virtio-net"}],
                 "console": {"readyLinePrefix": "login: "}}
                """));
    assertThat(vm.boot())
        .isEqualTo(
            new VmBoot.DirectKernel(
                dir.resolve("vmlinuz"), dir.resolve("initrd.img"), "console=ttyS0"));
    assertThat(vm.disks().get(0).format()).isEqualTo("raw");
    assertThat(vm.disks().get(0).bus()).isEqualTo("virtio");
    assertThat(vm.readyLinePrefix()).contains("login: ");
  }

  @Test
  void testVmsVmJsonStillReads() throws Exception {
    VmDescription vm =
        descriptions.load(
            write(
                """
                {"format": 1, "name": "ftvm-testvm", "buildHash": "x",
                 "kernel": {"file": "vmlinuz", "sha256": "y"}, "initrd": {"file": "initrd.img"},
                 "disk": {"file": "disk.img", "format": "raw"},
                 "machine": {"type": "pc", "cpu": "qemu64", "memoryMiB": 256,
                             "nic": "virtio-net-pci", "disk": "virtio-blk-pci"},
                 "cmdline": "console=ttyS0 quiet",
                 "network": {"guestIp": "10.77.0.10", "prefixLength": 24,
                             "mac": "52:54:00:12:34:56"},
                 "services": {"echo": 7001},
                 "console": {"readyLinePrefix": "FTVM ready "}}
                """));
    assertThat(vm.boot())
        .isEqualTo(
            new VmBoot.DirectKernel(
                dir.resolve("vmlinuz"), dir.resolve("initrd.img"), "console=ttyS0 quiet"));
    assertThat(vm.disks())
        .containsExactly(new VmDisk(dir.resolve("disk.img"), "raw", "virtio", false, false));
    assertThat(vm.nics()).containsExactly(new VmNic("52:54:00:12:34:56", "virtio-net"));
    assertThat(vm.guestCidr()).contains("10.77.0.10/24");
    assertThat(vm.readyLinePrefix()).contains("FTVM ready ");
  }

  @Test
  void writtenDescriptionReadsBackEqual() throws Exception {
    VmDescription vm = descriptions.load(write(FIRMWARE_VM));
    Path copy = dir.resolve("copy.json");
    new VmDescriptionWriter().write(vm, copy);
    VmDescription again = descriptions.load(copy);
    assertThat(again).usingRecursiveComparison().ignoringFields("source").isEqualTo(vm);
  }

  @Test
  void aReadinessProbeIsReadWrittenBackAndWinsOverTheReadyLine() throws Exception {
    VmDescription vm =
        descriptions.load(
            write(
                FIRMWARE_VM.replace(
                    "\"guestIp\"",
                    "\"console\": {\"readyLinePrefix\": \"FTVM ready \"},"
                        + " \"readiness\": {\"tcpPort\": 5432}, \"guestIp\"")));
    assertThat(vm.readinessProbe()).contains(ReadinessProbe.tcp(5432));
    assertThat(vm.effectiveReadiness()).contains(ReadinessProbe.tcp(5432));
    assertThat(vm.readiness()).isEqualTo("TCP port 5432 of the guest accepts a connection");

    Path copy = dir.resolve("copy.json");
    new VmDescriptionWriter().write(vm, copy);
    assertThat(descriptions.load(copy).readinessProbe()).contains(ReadinessProbe.tcp(5432));
  }

  @Test
  void withoutAProbeTheReadyLineDecides() throws Exception {
    VmDescription vm =
        descriptions.load(
            write(
                FIRMWARE_VM.replace(
                    "\"guestIp\"", "\"console\": {\"readyLinePrefix\": \"a.b \"}, \"guestIp\"")));
    ReadinessProbe probe = vm.effectiveReadiness().orElseThrow();
    assertThat(java.util.regex.Pattern.compile(probe.consolePattern()).matcher("a.b up").find())
        .isTrue();
    assertThat(java.util.regex.Pattern.compile(probe.consolePattern()).matcher("axb up").find())
        .as("the prefix is literal")
        .isFalse();
    assertThat(descriptions.load(write(FIRMWARE_VM)).effectiveReadiness()).isEmpty();
  }

  @Test
  void aBadReadinessProbeIsAProblem() throws IOException {
    assertThat(
            problems(
                FIRMWARE_VM.replace(
                    "\"guestIp\"",
                    "\"readiness\": {\"tcpPort\": 22, \"consolePattern\": \"x\"}, \"guestIp\"")))
        .containsExactly(
            "readiness: a readiness probe is either a console pattern or a TCP port, exactly one"
                + " of them");
    assertThat(
            problems(
                FIRMWARE_VM.replace(
                    "\"guestIp\"", "\"readiness\": {\"consolePattern\": \"(\"}, \"guestIp\"")))
        .singleElement()
        .asString()
        .startsWith("readiness: readiness console pattern \"(\" is not a regular expression");
    assertThat(
            problems(
                FIRMWARE_VM.replace(
                    "\"guestIp\"", "\"readiness\": {\"tcpPort\": 70000, \"url\": 1}, \"guestIp\"")))
        .hasSize(2)
        .anyMatch(p -> p.contains("readiness.url"))
        .anyMatch(p -> p.contains("70000 is not in 1..65535"));
  }

  private List<String> problems(String json) throws IOException {
    return descriptions.check(write(json)).problems();
  }

  @Test
  void everyProblemIsListedAtOnce() throws IOException {
    List<String> problems =
        problems(
            """
            {"format": 2, "memoryMiB": 8, "vcpus": 4, "machine": "q35", "cpu": "host",
             "accelerator": "kvm",
             "disks": [{"file": "missing.img", "format": "vmdk", "bus": "scsi",
                        "readOnly": true, "shared": true}],
             "nics": [{"mac": "03:00:00:00:00:01", "model": "rtl8139"},
                      {"mac": "nonsense", "model": "e1000"}],
             "hostdevs": [{"pci": "0000:03:00.0"}],
             "sound": "ac97",
             "guestIp": "10.0.0.300/24"}
            """);
    assertThat(problems)
        .anySatisfy(p -> assertThat(p).startsWith("hostdevs: device passthrough"))
        .anySatisfy(p -> assertThat(p).startsWith("sound: unknown member"))
        .anySatisfy(p -> assertThat(p).startsWith("vcpus 4"))
        .anySatisfy(p -> assertThat(p).startsWith("memoryMiB 8"))
        .anySatisfy(p -> assertThat(p).startsWith("machine \"q35\""))
        .anySatisfy(p -> assertThat(p).startsWith("cpu \"host\"").contains("KVM-only"))
        .anySatisfy(p -> assertThat(p).startsWith("accelerator \"kvm\""))
        .anySatisfy(p -> assertThat(p).contains("format \"vmdk\""))
        .anySatisfy(p -> assertThat(p).contains("bus \"scsi\""))
        .anySatisfy(p -> assertThat(p).contains("read-only"))
        .anySatisfy(p -> assertThat(p).contains("shared disk"))
        .anySatisfy(p -> assertThat(p).contains("missing.img does not exist"))
        .anySatisfy(p -> assertThat(p).startsWith("2 NICs"))
        .anySatisfy(p -> assertThat(p).contains("model \"rtl8139\""))
        .anySatisfy(p -> assertThat(p).contains("multicast"))
        .anySatisfy(p -> assertThat(p).contains("\"nonsense\" is not six"))
        .anySatisfy(p -> assertThat(p).contains("\"e1000\" is not verified"))
        .anySatisfy(p -> assertThat(p).startsWith("guestIp \"10.0.0.300/24\""));
    assertThat(problems).hasSize(18);
  }

  @Test
  void loadThrowsOneMessageNamingEveryProblem() throws IOException {
    Path file =
        write(
            """
            {"format": 2, "memoryMiB": 512, "vcpus": 2,
             "disks": [{"file": "disk.img", "bus": "sata"}],
             "nics": [{"mac": "52:54:00:00:00:01"}]}
            """);
    assertThatThrownBy(() -> descriptions.load(file))
        .isInstanceOf(UnsupportedVmException.class)
        .hasMessageContaining("(2 problems)")
        .hasMessageContaining("  - vcpus 2")
        .hasMessageContaining("  - disks[0] disk.img: bus \"sata\"");
  }

  @Test
  void firmwareBootNeedsADisk() throws IOException {
    assertThat(
            problems(
                "{\"format\": 2, \"memoryMiB\": 64, \"nics\": [{\"mac\": \"52:54:00:00:00:01\"}]}"))
        .containsExactly("boot from disk, but the VM has no disk");
  }

  @Test
  void imageFormatMustMatchTheFile() throws IOException {
    assertThat(
            problems(
                """
                {"format": 2, "memoryMiB": 64,
                 "disks": [{"file": "disk.img", "format": "qcow2"},
                           {"file": "data.qcow2", "format": "raw"}],
                 "nics": [{"mac": "52:54:00:00:00:01"}]}
                """))
        .containsExactly(
            "disks[0] disk.img: described as qcow2 but the image is not qcow2",
            "disks[1] data.qcow2: described as raw but the image is qcow2");
  }

  @Test
  void missingKernelAndDuplicateDiskAndMac() throws IOException {
    assertThat(
            problems(
                """
                {"format": 2, "memoryMiB": 64,
                 "boot": {"from": "kernel", "kernel": "nokernel"},
                 "disks": [{"file": "disk.img"}, {"file": "disk.img"}],
                 "nics": [{"mac": "52:54:00:00:00:01"}]}
                """))
        .containsExactly(
            "boot.kernel " + dir.resolve("nokernel") + " does not exist or is not a file",
            "disks[1] disk.img: the same image is attached twice");
  }

  @Test
  void malformedValuesAndUnknownFormat() throws IOException {
    assertThat(
            problems(
                """
                {"format": 2, "memoryMiB": "lots", "boot": {"from": "pxe"},
                 "disks": [{"file": "disk.img", "bus": 3}], "nics": [{"mac": "52:54:00:00:00:01"}],
                 "console": {"readyLinePrefix": ""}}
                """))
        .contains(
            "memoryMiB must be a whole number, not \"lots\"",
            "boot.from \"pxe\" is unknown: \"disk\" (firmware) or \"kernel\" (direct)",
            "disks[0].bus must be a string, not 3",
            "console.readyLinePrefix is empty (omit it when the guest prints no ready line)");
    assertThat(problems("{\"format\": 7}")).singleElement().asString().contains("format\": 7");
    assertThat(problems("[1]")).singleElement().asString().contains("not a JSON object");
  }
}
