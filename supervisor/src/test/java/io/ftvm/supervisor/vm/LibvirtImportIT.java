package io.ftvm.supervisor.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.cli.FtvmCommand;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.pair.TestEnvironment;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.libvirt.Connect;
import org.libvirt.Domain;
import picocli.CommandLine;

/**
 * {@code ftvm vm import} against a real libvirt daemon that this test starts and stops itself: an
 * unprivileged session {@code libvirtd} (user nobody) with its own socket, config and state in a
 * throwaway directory, so the host's libvirt (system service, /etc/libvirt) is never touched.
 * Domains are defined (not started) through libvirt-java, then imported by name.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LibvirtImportIT {
  private static final Path LIBVIRTD = Path.of("/usr/sbin/libvirtd");
  private static final String NOBODY = "nobody";

  private Path dir;
  private ChildProcessLauncher launcher;
  private Process daemon;
  private String uri;

  private record Run(int exit, String out, String err) {}

  @BeforeAll
  void startPrivateLibvirtd() throws Exception {
    assumeThat(Files.isExecutable(LIBVIRTD))
        .as("libvirtd (Debian libvirt-daemon-system) is installed")
        .isTrue();
    Path qemu = TestEnvironment.qemu();
    // Under /tmp with 0755 so that user nobody can reach it (JUnit's @TempDir is 0700).
    dir = Files.createTempDirectory(Path.of("/tmp"), "ftvm-libvirt-it-");
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    for (String sub : List.of("run", "config", "cache")) {
      Path path = Files.createDirectories(dir.resolve(sub));
      Files.setOwner(path, users.lookupPrincipalByName(NOBODY));
    }
    // The daemon probes the emulator it is given; nobody cannot read the cached build under /root.
    Path emulator = dir.resolve("qemu-system-x86_64");
    Files.copy(qemu, emulator);
    Files.setPosixFilePermissions(emulator, PosixFilePermissions.fromString("rwxr-xr-x"));
    launcher = new ChildProcessLauncher();
    daemon =
        launcher.start(
            new ProcessBuilder(
                    "setpriv",
                    "--reuid=" + NOBODY,
                    "--regid=nogroup",
                    "--clear-groups",
                    "env",
                    "-i",
                    "HOME=" + dir,
                    "XDG_RUNTIME_DIR=" + dir.resolve("run"),
                    "XDG_CONFIG_HOME=" + dir.resolve("config"),
                    "XDG_CACHE_HOME=" + dir.resolve("cache"),
                    "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                    LIBVIRTD.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("libvirtd.log").toFile()));
    Path socket = dir.resolve("run/libvirt/libvirt-sock");
    await().atMost(Duration.ofSeconds(30)).until(() -> Files.exists(socket) || !daemon.isAlive());
    assertThat(daemon.isAlive()).as("libvirtd runs (see %s)", dir.resolve("libvirtd.log")).isTrue();
    uri = "qemu:///session?socket=" + socket;
  }

  @AfterAll
  void stopLibvirtd() throws IOException {
    if (launcher != null) {
      launcher.close(); // kills the daemon we started (and only it)
    }
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private String domainXml(String name, int vcpus, String nicModel, Path image) {
    return """
        <domain type='qemu'>
          <name>%s</name>
          <memory unit='MiB'>512</memory>
          <vcpu>%d</vcpu>
          <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
          <features><acpi/><apic/></features>
          <devices>
            <emulator>%s</emulator>
            <disk type='file' device='disk'>
              <driver name='qemu' type='qcow2'/>
              <source file='%s'/>
              <target dev='vda' bus='virtio'/>
            </disk>
            <interface type='user'>
              <mac address='52:54:00:12:00:01'/>
              <model type='%s'/>
            </interface>
            <serial type='pty'><target port='0'/></serial>
          </devices>
        </domain>
        """
        .formatted(name, vcpus, dir.resolve("qemu-system-x86_64"), image, nicModel);
  }

  /** Defines a domain through the API (not started) and returns its name. */
  private String define(String xml) throws Exception {
    Connect connection = new Connect(uri, false);
    try {
      Domain domain = connection.domainDefineXML(xml);
      return domain.getName();
    } finally {
      connection.close();
    }
  }

  private void undefine(String name) throws Exception {
    Connect connection = new Connect(uri, false);
    try {
      connection.domainLookupByName(name).undefine();
    } finally {
      connection.close();
    }
  }

  private static Run ftvm(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return new Run(commandLine.execute(args), out.toString(), err.toString());
  }

  @Test
  void importsADefinedDomainByName() throws Exception {
    Path image = dir.resolve("root.qcow2");
    Files.write(image, new byte[] {'Q', 'F', 'I', (byte) 0xfb, 0, 0, 0, 3});
    String name = define(domainXml("ftvm-it-db", 1, "virtio", image));
    try {
      Path out = dir.resolve("db.json");
      Run run = ftvm("vm", "import", "--connect", uri, "--domain", name, "--out", out.toString());
      assertThat(run.exit()).as(run.err()).isZero();

      VmDescription vm = new VmDescriptions().load(out);
      assertThat(vm.name()).isEqualTo("ftvm-it-db");
      assertThat(vm.memoryMib()).isEqualTo(512);
      assertThat(vm.boot()).isInstanceOf(VmBoot.Firmware.class);
      assertThat(vm.disks()).containsExactly(new VmDisk(image, "qcow2", "virtio", false, false));
      assertThat(vm.nics()).containsExactly(new VmNic("52:54:00:12:00:01", "virtio-net"));
      assertThat(ftvm("vm", "check", out.toString()).exit()).isZero();
    } finally {
      undefine(name);
    }
  }

  @Test
  void refusesADomainFtvmCannotRunListingEveryReason() throws Exception {
    Path image = dir.resolve("smp.img");
    Files.write(image, new byte[4096]);
    String name = define(domainXml("ftvm-it-smp", 2, "e1000e", image));
    try {
      Path out = dir.resolve("smp.json");
      Run run = ftvm("vm", "import", "-c", uri, "--domain", name, "-o", out.toString());
      assertThat(run.exit()).isEqualTo(1);
      assertThat(run.err())
          .contains("ftvm cannot run domain ftvm-it-smp")
          .contains("(3 problems)")
          .contains("vcpus 2")
          .contains("model \"e1000e\"")
          .contains("described as qcow2 but the image is not qcow2");
      assertThat(out).doesNotExist();
    } finally {
      undefine(name);
    }
  }

  @Test
  void unknownDomainIsAClearError() {
    Run run = ftvm("vm", "import", "-c", uri, "--domain", "no-such-domain");
    assertThat(run.exit()).isEqualTo(1);
    assertThat(run.err()).contains("has no domain \"no-such-domain\"");
  }
}
