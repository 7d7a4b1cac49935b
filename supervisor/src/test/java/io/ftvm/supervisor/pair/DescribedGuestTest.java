package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ftvm.supervisor.hypervisor.ConsoleSpec;
import io.ftvm.supervisor.hypervisor.GuestDevices;
import io.ftvm.supervisor.hypervisor.QemuCommandLine;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.vm.ReadinessProbe;
import io.ftvm.supervisor.vm.VmBoot;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDisk;
import io.ftvm.supervisor.vm.VmNic;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DescribedGuestTest {
  @TempDir Path dir;

  private VmDescription firmwareVm() {
    return new VmDescription(
        dir.resolve("vm.json"),
        "db",
        512,
        1,
        "pc",
        "qemu64",
        "tcg",
        new VmBoot.Firmware(),
        List.of(
            new VmDisk(dir.resolve("root.img"), "raw", "virtio", false, false),
            new VmDisk(dir.resolve("data.qcow2"), "qcow2", "ide", false, false)),
        List.of(new VmNic("52:54:00:00:00:09", "virtio-net")),
        Optional.empty(),
        Optional.empty());
  }

  @Test
  void firmwareGuestKeepsEverythingTheAdminSet() {
    PairConfig.GuestSpec spec =
        new DescribedGuest(firmwareVm()).spec("10.77.0.10/24", "52:54:00:77:00:10");

    assertThat(spec.kernel()).as("firmware boot has no kernel").isNull();
    assertThat(spec.memoryMib()).isEqualTo(512);
    assertThat(spec.mac())
        .as("the description's MAC, not the LAN's")
        .isEqualTo("52:54:00:00:00:09");
    assertThat(spec.ip()).as("no IP configured: learned, not the LAN's").isNull();
    assertThat(spec.readyLinePrefix()).isNull();
    assertThat(spec.description()).isEqualTo(dir.resolve("vm.json"));
    assertThat(spec.hardware().disks())
        .containsExactly(
            new GuestHardware.Disk("disk-0.img", GuestDevices.Format.RAW, GuestDevices.Bus.VIRTIO),
            new GuestHardware.Disk(
                "disk-1.qcow2", GuestDevices.Format.QCOW2, GuestDevices.Bus.IDE));
    assertThat(spec.hardware().nicModel()).isEqualTo(GuestDevices.NicModel.VIRTIO_NET);
  }

  @Test
  void eachNodeRunsItsOwnCopiesWithFirmwareBoot() {
    PairConfig.GuestSpec spec = new DescribedGuest(firmwareVm()).spec(null, null);
    GuestDevices devices = spec.hardware().devices(spec, Path.of("/state/a/disk-0.img"));

    assertThat(devices.firmwareBoot()).isTrue();
    assertThat(devices.drives())
        .extracting(GuestDevices.Drive::file)
        .containsExactly(Path.of("/state/a/disk-0.img"), Path.of("/state/a/disk-1.qcow2"));
    List<String> qemu =
        new QemuCommandLine()
            .render(
                VmLaunchSpec.builder()
                    .devices(devices)
                    .runDirectory(Path.of("/run"))
                    .console(ConsoleSpec.socket(Path.of("/run/c.sock")))
                    .build());
    assertThat(qemu).doesNotContain("-kernel").contains("-m", "256");
    assertThat(String.join(" ", qemu))
        .contains("file=/state/a/disk-0.img,format=raw")
        .contains("file=/state/a/disk-1.qcow2,format=qcow2")
        .contains("bootindex=1")
        .contains("mac=52:54:00:00:00:09");
  }

  @Test
  void onlyAGuestWithOneRawDiskCanBeClonedToAJoiningNode() {
    PairConfig.GuestSpec twoDisks = new DescribedGuest(firmwareVm()).spec(null, null);
    PairConfig.GuestSpec oneRawDisk =
        twoDisks.hardware() == null
            ? null
            : new PairConfig.GuestSpec(
                null,
                null,
                "",
                256,
                twoDisks.mac(),
                null,
                null,
                new GuestHardware(
                    List.of(twoDisks.hardware().disks().get(0)), GuestDevices.NicModel.VIRTIO_NET),
                null);
    PairConfig.GuestSpec testGuest =
        new PairConfig.GuestSpec(Path.of("/k"), Path.of("/i"), "", 256, "52:54:00:12:34:56", null);

    assertThat(GuestHardware.clonable(twoDisks)).isFalse();
    assertThat(GuestHardware.clonable(oneRawDisk)).isTrue();
    assertThat(GuestHardware.clonable(testGuest)).isTrue();
  }

  @Test
  void copiesEveryDiskIntoTheNodeDirectory() throws IOException {
    Files.write(dir.resolve("root.img"), new byte[] {1, 2, 3});
    Files.write(dir.resolve("data.qcow2"), new byte[] {4, 5});
    Path node = Files.createDirectories(dir.resolve("a"));

    List<Path> copies = new DescribedGuest(firmwareVm()).copyDisksInto(node);

    assertThat(copies).containsExactly(node.resolve("disk-0.img"), node.resolve("disk-1.qcow2"));
    assertThat(Files.readAllBytes(copies.get(1))).containsExactly(4, 5);
  }

  @Test
  void aConfigThatNamesADescriptionRunsIt() throws IOException {
    Files.write(dir.resolve("boot.img"), new byte[512]);
    Files.writeString(
        dir.resolve("desc.json"),
        """
        {"format": 2, "name": "legacy-db", "memoryMiB": 384, "boot": {"from": "disk"},
         "disks": [{"file": "boot.img", "format": "raw", "bus": "ide"}],
         "nics": [{"mac": "52:54:00:aa:bb:cc", "model": "virtio-net"}],
         "guestIp": "10.77.0.10/24"}
        """);
    Path file = dir.resolve("pair.json");
    Files.writeString(
        file, pairConfigJson("{\"description\": \"" + dir.resolve("desc.json") + "\"}"));

    PairConfig config = GuestDescriptions.read(file);

    assertThat(config.vm().memoryMib()).isEqualTo(384);
    assertThat(config.vm().mac()).isEqualTo("52:54:00:aa:bb:cc");
    assertThat(config.vm().ip()).isEqualTo("10.77.0.10/24");
    assertThat(config.vm().hardware().disks()).hasSize(1);
    assertThat(config.vm().hardware().disks().get(0).bus()).isEqualTo(GuestDevices.Bus.IDE);
    // Resolving the description keeps the rest of the config (a lost TLS directory left the
    // daemons of a described pair without channel credentials).
    assertThat(config.tlsDirectory()).isEqualTo(dir.resolve("tls"));
    assertThat(config.adminGroup()).isEqualTo("ftvm-admins");
    assertThat(config.metricsListen()).isEqualTo("127.0.0.1:9464");
    // Round trip: what LocalPair writes reads back the same.
    config.write(dir.resolve("again.json"));
    assertThat(PairConfig.read(dir.resolve("again.json")).vm()).isEqualTo(config.vm());
  }

  @Test
  void aProbeGivenAtStartOverridesTheDescriptionsAndSurvivesTheDaemonsResolving() throws Exception {
    Files.write(dir.resolve("boot.img"), new byte[512]);
    Files.writeString(
        dir.resolve("desc.json"),
        """
        {"format": 2, "name": "db", "memoryMiB": 384, "boot": {"from": "disk"},
         "disks": [{"file": "boot.img", "format": "raw", "bus": "ide"}],
         "nics": [{"mac": "52:54:00:aa:bb:cc", "model": "virtio-net"}],
         "readiness": {"consolePattern": "login: ?$"}}
        """);
    PairGuest described =
        new DescribedGuest(
            new io.ftvm.supervisor.vm.VmDescriptions().load(dir.resolve("desc.json")));
    assertThat(described.spec(null, null).readinessProbe())
        .contains(ReadinessProbe.console("login: ?$"));

    PairConfig.GuestSpec overridden =
        new ProbedGuest(described, ReadinessProbe.tcp(5432)).spec(null, null);
    Path file = dir.resolve("pair.json");
    Files.writeString(file, pairConfigJson(PairConfig.mapper().writeValueAsString(overridden)));

    assertThat(GuestDescriptions.read(file).vm().readinessProbe())
        .as("what the daemon reads from the config LocalPair wrote")
        .contains(ReadinessProbe.tcp(5432));
  }

  @Test
  void aDescriptionFtvmCannotRunIsRefusedWithItsReasons() throws IOException {
    Files.writeString(
        dir.resolve("desc.json"),
        """
        {"format": 2, "name": "smp", "memoryMiB": 384, "vcpus": 4, "boot": {"from": "disk"},
         "disks": [{"file": "missing.img", "format": "raw", "bus": "virtio"}],
         "nics": [{"mac": "52:54:00:aa:bb:cc", "model": "virtio-net"}]}
        """);
    Path file = dir.resolve("pair.json");
    Files.writeString(
        file, pairConfigJson("{\"description\": \"" + dir.resolve("desc.json") + "\"}"));

    assertThatThrownBy(() -> GuestDescriptions.read(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("missing.img");
  }

  @Test
  void theTestGuestsConfigIsUnchangedByResolving() throws IOException {
    Path file = dir.resolve("pair.json");
    Files.writeString(
        file,
        pairConfigJson(
            "{\"kernel\": \"/k\", \"initrd\": \"/i\", \"kernelAppend\": \"console=ttyS0\","
                + " \"memoryMib\": 256, \"mac\": \"52:54:00:12:34:56\", \"ip\": \"10.77.0.10/24\"}"));

    PairConfig config = GuestDescriptions.read(file);

    assertThat(config.vm())
        .isEqualTo(
            new PairConfig.GuestSpec(
                Path.of("/k"),
                Path.of("/i"),
                "console=ttyS0",
                256,
                "52:54:00:12:34:56",
                "10.77.0.10/24"));
  }

  private String pairConfigJson(String vm) throws IOException {
    PairConfig base =
        new PairConfig(
            "vm-unit",
            1,
            "a",
            Path.of("/opt/qemu"),
            null,
            Map.of(
                "a",
                new PairConfig.NodeSpec(
                    dir.resolve("a"), dir.resolve("a/disk-0.img"), "h", 1, "t", "b"),
                "b",
                new PairConfig.NodeSpec(
                    dir.resolve("b"), dir.resolve("b/disk-0.img"), "h", 2, "t", "b")),
            dir.resolve("shared"),
            null,
            PairConfig.Timing.defaults(),
            null,
            dir.resolve("tls"),
            "ftvm-admins",
            "127.0.0.1:9464",
            null);
    String json = PairConfig.mapper().writeValueAsString(base);
    return json.replace("\"vm\" : null", "\"vm\" : " + vm);
  }
}
