package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmDefinitionTest {
  @TempDir Path dir;

  static VmDefinition writeVm(Path vmDir) throws Exception {
    Files.createDirectories(vmDir);
    Files.writeString(vmDir.resolve("vmlinuz"), "kernel");
    Files.writeString(vmDir.resolve("initrd.img"), "initrd");
    Files.writeString(vmDir.resolve("disk.img"), "disk");
    Files.writeString(
        vmDir.resolve("vm.json"),
        """
        {"kernel": {"file": "vmlinuz"}, "initrd": {"file": "initrd.img"},
         "disk": {"file": "disk.img"}, "cmdline": "console=ttyS0 quiet",
         "machine": {"memoryMiB": 128},
         "network": {"guestIp": "10.9.8.7", "prefixLength": 16, "mac": "52:54:00:00:00:01"},
         "console": {"readyLinePrefix": "FTVM ready "}}
        """);
    return VmDefinition.load(vmDir);
  }

  @Test
  void readsATestVmDirectory() throws Exception {
    VmDefinition vm = writeVm(dir.resolve("vm"));

    assertThat(vm.kernel()).isEqualTo(dir.resolve("vm/vmlinuz").toAbsolutePath());
    assertThat(vm.memoryMib()).isEqualTo(128);
    assertThat(vm.guestCidr()).isEqualTo("10.9.8.7/16");
    assertThat(vm.cmdlineFor("cpu"))
        .isEqualTo("console=ttyS0 quiet ftvm.workload=cpu ftvm.ip=10.9.8.7/16");
  }

  @Test
  void acceptsTheDescriptorItself() throws Exception {
    writeVm(dir.resolve("vm"));

    assertThat(VmDefinition.load(dir.resolve("vm/vm.json")).mac()).isEqualTo("52:54:00:00:00:01");
  }

  @Test
  void namesAMissingGuestFile() throws Exception {
    writeVm(dir.resolve("vm"));
    Files.delete(dir.resolve("vm/initrd.img"));

    assertThatThrownBy(() -> VmDefinition.load(dir.resolve("vm")))
        .isInstanceOf(BadInputException.class)
        .hasMessageEndingWith(": initrd file " + dir.resolve("vm/initrd.img") + " does not exist");
  }

  @Test
  void namesInvalidJson() throws Exception {
    Files.createDirectories(dir.resolve("bad"));
    Files.writeString(dir.resolve("bad/vm.json"), "{not json");

    assertThatThrownBy(() -> VmDefinition.load(dir.resolve("bad")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("vm.json is not valid JSON");
  }

  @Test
  void builtInTestVmComesFromTheCacheWhenNotConfigured() throws Exception {
    writeVm(dir.resolve("cache/testvm-0123"));
    VmLocator locator =
        new VmLocator(Map.of("FTVM_CACHE_DIR", dir.resolve("cache").toString()), dir);

    assertThat(locator.locate("test-vm").kernel())
        .isEqualTo(dir.resolve("cache/testvm-0123/vmlinuz").toAbsolutePath());
  }

  @Test
  void configuredTestVmWinsOverTheCache() throws Exception {
    writeVm(dir.resolve("cache/testvm-0123"));
    writeVm(dir.resolve("mine"));
    VmLocator locator =
        new VmLocator(
            Map.of(
                "FTVM_CACHE_DIR", dir.resolve("cache").toString(),
                "FTVM_TESTVM", dir.resolve("mine").toString()),
            dir);

    assertThat(locator.locate("test-vm").disk())
        .isEqualTo(dir.resolve("mine/disk.img").toAbsolutePath());
  }

  @Test
  void builtInTestVmMissingSaysHowToBuildIt() {
    VmLocator locator =
        new VmLocator(Map.of("FTVM_CACHE_DIR", dir.resolve("none").toString()), dir);

    assertThatThrownBy(() -> locator.locate("test-vm"))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("run test-vms/build.sh");
  }

  @Test
  void readsAFirmwareBootDescriptionForRecordAndReplay() throws Exception {
    Files.write(dir.resolve("root.img"), new byte[4096]);
    Files.write(dir.resolve("data.img"), new byte[4096]);
    Path file = dir.resolve("db.json");
    Files.writeString(
        file,
        """
        {"format": 2, "name": "db", "memoryMiB": 512, "boot": {"from": "disk"},
         "disks": [{"file": "root.img"}, {"file": "data.img", "bus": "ide"}],
         "nics": [{"mac": "52:54:00:00:00:07"}], "guestIp": "192.168.5.5/24"}
        """);
    VmDefinition vm = VmDefinition.load(file);

    assertThat(vm.kernel()).isNull();
    assertThat(vm.disk()).isEqualTo(dir.resolve("root.img"));
    assertThat(vm.mac()).isEqualTo("52:54:00:00:00:07");
    assertThat(vm.readyLinePrefix()).isEmpty();
    assertThat(vm.cmdlineFor("cpu")).isEmpty();
    GuestLaunch launch = GuestLaunch.of(vm, "idle");
    assertThat(launch.pristineDisks())
        .containsExactly(dir.resolve("root.img"), dir.resolve("data.img"));
    var spec =
        launch.spec(
            "r",
            Path.of("/q"),
            java.util.List.of(dir.resolve("w0"), dir.resolve("w1")),
            dir,
            io.ftvm.supervisor.hypervisor.ReplaySpec.none());
    assertThat(spec.devices().drives().get(1).file()).isEqualTo(dir.resolve("w1"));
    assertThat(launch.manifestArgs(spec)).doesNotContain("-kernel").contains("-m");
  }

  @Test
  void refusesADescriptionFtvmCannotRunWithEveryReason() throws Exception {
    Path file = dir.resolve("smp.json");
    Files.writeString(
        file,
        """
        {"format": 2, "memoryMiB": 512, "vcpus": 2, "disks": [{"file": "none.img"}],
         "nics": [{"mac": "52:54:00:00:00:07"}]}
        """);
    assertThatThrownBy(() -> VmDefinition.load(file))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("(2 problems)")
        .hasMessageContaining("vcpus 2")
        .hasMessageContaining("none.img does not exist");
  }
}
