package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VmCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run ftvm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return new Run(commandLine.execute(args), out.toString(), err.toString());
  }

  @Test
  void checkPrintsWhatFtvmWouldRunAndExitsZero() throws Exception {
    Files.write(dir.resolve("root.img"), new byte[4096]);
    Path file = dir.resolve("db.json");
    Files.writeString(
        file,
        """
        {"format": 2, "name": "db", "memoryMiB": 512, "disks": [{"file": "root.img"}],
         "nics": [{"mac": "52:54:00:00:00:07"}]}
        """);
    Run run = ftvm("vm", "check", file.toString());
    assertThat(run.exit()).isZero();
    assertThat(run.out())
        .contains("VM db: runnable by ftvm")
        .contains("boot      : from the first disk through the BIOS (SeaBIOS)")
        .contains("(raw, virtio)")
        .contains("ready     : booted: QEMU reports status running");
  }

  @Test
  void checkListsEveryProblemAndExitsOne() throws Exception {
    Path file = dir.resolve("bad.json");
    Files.writeString(
        file,
        """
        {"format": 2, "memoryMiB": 512, "vcpus": 2, "disks": [{"file": "gone.img"}],
         "nics": [{"mac": "52:54:00:00:00:07", "model": "e1000"}], "hostdevs": []}
        """);
    Run run = ftvm("vm", "check", file.toString());
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err())
        .contains("(4 problems)")
        .contains("  - hostdevs: device passthrough")
        .contains("  - vcpus 2")
        .contains("gone.img does not exist")
        .contains("\"e1000\" is not verified");
  }

  @Test
  void importFromAnXmlFileWritesADescriptionThatChecks() throws Exception {
    Files.write(dir.resolve("root.img"), new byte[4096]);
    Path xml = dir.resolve("d.xml");
    Files.writeString(
        xml,
        """
        <domain type='kvm'><name>web</name><memory unit='MiB'>384</memory><vcpu>1</vcpu>
          <os><type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type><boot dev='hd'/></os>
          <devices>
            <disk type='file' device='disk'><driver name='qemu' type='raw'/>
              <source file='%s'/><target dev='hda' bus='ide'/></disk>
            <interface type='network'><mac address='52:54:00:00:00:08'/>
              <model type='virtio'/></interface>
          </devices></domain>
        """
            .formatted(dir.resolve("root.img")));
    Path out = dir.resolve("web.json");
    Run run = ftvm("vm", "import", "--xml", xml.toString(), "-o", out.toString());
    assertThat(run.exit()).as(run.err()).isZero();
    assertThat(Files.readString(out)).contains("\"bus\" : \"ide\"").contains("\"memoryMiB\" : 384");
    assertThat(ftvm("vm", "check", out.toString()).exit()).isZero();
  }

  @Test
  void importNeedsADomainOrAnXmlFile() {
    assertThat(ftvm("vm", "import").exit()).isEqualTo(2);
  }
}
