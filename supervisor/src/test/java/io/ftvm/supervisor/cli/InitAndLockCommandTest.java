package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.channel.ChannelSecurity;
import io.ftvm.lock.SharedDirectoryArbiter;
import io.ftvm.supervisor.pair.ChannelCredentialFiles;
import io.ftvm.supervisor.pair.PairConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ftvm init} and {@code ftvm lock init} through the real command line. */
class InitAndLockCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path vm;

  @BeforeEach
  void vmDescription() throws Exception {
    Path vmDir = Files.createDirectories(dir.resolve("vm"));
    Files.write(vmDir.resolve("disk.img"), new byte[4096]);
    Files.write(vmDir.resolve("vmlinuz"), new byte[16]);
    Files.write(vmDir.resolve("initrd.img"), new byte[16]);
    vm = vmDir.resolve("vm.json");
    Files.writeString(
        vm,
        """
        {"format": 2, "name": "web", "memoryMiB": 256,
         "boot": {"from": "kernel", "kernel": "vmlinuz", "initrd": "initrd.img",
                  "cmdline": "console=ttyS0"},
         "disks": [{"file": "disk.img"}],
         "nics": [{"mac": "52:54:00:12:34:56"}],
         "guestIp": "192.168.1.20/24"}
        """);
  }

  private int run(String... args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  private List<String> initArgs(Path output, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "init",
                "--vm-id",
                "web",
                "--vm",
                vm.toString(),
                "--node",
                "hostA=10.0.0.1",
                "--node",
                "hostB=10.0.0.2",
                "--shared-dir",
                "/mnt/ftvm",
                "--qemu",
                "/opt/ftvm/qemu-system-x86_64",
                "--install-dir",
                output.toString(),
                "-o",
                output.toString()));
    args.addAll(List.of(extra));
    return args;
  }

  @Test
  void initWritesAValidConfigAndPrivateTlsCredentialsEachNodeCanLoad() throws Exception {
    Path output = dir.resolve("out");

    int status = run(initArgs(output).toArray(String[]::new));

    assertThat(status).as(err.toString()).isZero();
    PairConfig config = PairConfig.read(output.resolve("pair.json"));
    assertThat(config.nodes()).containsOnlyKeys("hostA", "hostB");
    assertThat(config.initialPrimary()).isEqualTo("hostA");
    assertThat(config.node("hostB").channelHost()).isEqualTo("10.0.0.2");
    assertThat(config.node("hostB").channelPort()).isEqualTo(7400);
    assertThat(config.node("hostA").disk()).isEqualTo(Path.of("/var/lib/ftvm/web/disk.img"));
    assertThat(config.vm().memoryMib()).isEqualTo(256);
    assertThat(config.vm().mac()).isEqualTo("52:54:00:12:34:56");
    assertThat(config.timing().detectionTimeoutMillis()).isEqualTo(1000);
    assertThat(config.preSharedKeyFile()).isNull();
    assertThat(config.tlsDirectory()).isEqualTo(output.resolve("tls"));
    Path tls = output.resolve("tls");
    assertThat(mode(output)).isEqualTo("rwx------");
    assertThat(mode(tls)).isEqualTo("rwx------");
    for (String file :
        List.of(
            "ca.crt",
            "ca.key",
            "hostA.crt",
            "hostA.key",
            "hostB.crt",
            "hostB.key",
            "../pair.json")) {
      assertThat(mode(tls.resolve(file))).as(file).isEqualTo("rw-------");
    }
    ChannelSecurity a = ChannelCredentialFiles.load(config, "hostA");
    assertThat(a).isInstanceOf(ChannelSecurity.MutualTls.class);
    assertThat(((ChannelSecurity.MutualTls) a).expectedPeerNodeId()).isEqualTo("hostB");
    assertThat(((ChannelSecurity.MutualTls) a).credentials().nodeId()).isEqualTo("hostA");
    assertThat(out.toString())
        .contains("Host of node hostA (logging link 10.0.0.1:7400)")
        .contains(tls.resolve("hostA.key") + " -> " + tls.resolve("hostA.key"))
        .contains("ftvm start --config " + output.resolve("pair.json") + " --node hostB")
        .contains("ftvm lock init /mnt/ftvm")
        .contains("off the hosts");
  }

  @Test
  void initWithSparesWritesThemIntoTheConfigAndIssuesTheirCertificatesFromThePairCa()
      throws Exception {
    Path output = dir.resolve("spares");

    int status =
        run(
            initArgs(output, "--spare", "hostC=10.0.0.3", "--spare", "hostD=10.0.0.4")
                .toArray(String[]::new));

    assertThat(status).as(err.toString()).isZero();
    PairConfig config = PairConfig.read(output.resolve("pair.json"));
    assertThat(config.nodes()).containsOnlyKeys("hostA", "hostB");
    assertThat(config.spares()).containsOnlyKeys("hostC", "hostD");
    assertThat(config.node("hostC").channelHost()).isEqualTo("10.0.0.3");
    assertThat(config.node("hostC").channelPort()).isEqualTo(7400);
    Path tls = output.resolve("tls");
    assertThat(mode(tls.resolve("hostC.key"))).isEqualTo("rw-------");
    assertThat(tls.resolve("hostD.crt")).isRegularFile();
    // A spare talks to whichever node is primary: its certificate is the pair CA's like a/b's.
    ChannelSecurity c = ChannelCredentialFiles.load(config, "hostC", "hostB");
    assertThat(((ChannelSecurity.MutualTls) c).credentials().nodeId()).isEqualTo("hostC");
    assertThat(((ChannelSecurity.MutualTls) c).expectedPeerNodeId()).isEqualTo("hostB");
    ChannelSecurity b = ChannelCredentialFiles.load(config, "hostB", "hostC");
    assertThat(((ChannelSecurity.MutualTls) b).expectedPeerNodeId()).isEqualTo("hostC");
    assertThat(out.toString())
        .contains("Spare host hostC (logging link 10.0.0.3:7400)")
        .contains("ftvm start --config " + output.resolve("pair.json") + " --node hostD")
        .contains("a spare starts empty")
        .contains("truncate -s 4096 /var/lib/ftvm/web/disk.img");
  }

  @Test
  void aSpareWithAPairNodesNameIsRefused() {
    Path output = dir.resolve("clash");

    int status = run(initArgs(output, "--spare", "hostB=10.0.0.3").toArray(String[]::new));

    assertThat(status).isEqualTo(1);
    assertThat(err.toString()).contains("spare 'hostB' has the name of a pair node");
    assertThat(output).doesNotExist();
  }

  @Test
  void initListsEveryProblemAndWritesNothing() throws Exception {
    Path output = dir.resolve("bad");
    List<String> args = initArgs(output, "--channel-port", "70000", "--primary", "hostC");
    args.set(args.indexOf("hostB=10.0.0.2"), "host B=10.0.0.2");
    args.set(args.indexOf("/mnt/ftvm"), "relative/shared");

    int status = run(args.toArray(String[]::new));

    assertThat(status).isEqualTo(1);
    assertThat(err.toString())
        .contains("--shared-dir must be an absolute path")
        .contains("node id 'host B' must be 1-63 letters")
        .contains("channelPort must be 1..65535, got 70000")
        .contains("initialPrimary 'hostC' is not one of the nodes");
    assertThat(output).doesNotExist();
  }

  @Test
  void initRefusesToOverwriteAnExistingPair() throws Exception {
    Path output = dir.resolve("out");
    assertThat(run(initArgs(output).toArray(String[]::new))).isZero();
    byte[] before = Files.readAllBytes(output.resolve("tls/ca.crt"));

    assertThat(run(initArgs(output).toArray(String[]::new))).isEqualTo(1);

    assertThat(err.toString()).contains("already holds a pair");
    assertThat(Files.readAllBytes(output.resolve("tls/ca.crt"))).isEqualTo(before);
  }

  @Test
  void initWithPskAdminGroupAndMetricsWritesThemIntoTheConfig() throws Exception {
    Path output = dir.resolve("psk");

    assertThat(
            run(
                initArgs(
                        output,
                        "--psk",
                        "--admin-group",
                        "ftvm",
                        "--metrics-listen",
                        "0.0.0.0:9464")
                    .toArray(String[]::new)))
        .as(err.toString())
        .isZero();

    PairConfig config = PairConfig.read(output.resolve("pair.json"));
    assertThat(config.adminGroup()).isEqualTo("ftvm");
    assertThat(config.metricsListen()).isEqualTo("0.0.0.0:9464");
    assertThat(config.tlsDirectory()).isNull();
    assertThat(mode(output.resolve("channel.key"))).isEqualTo("rw-------");
    assertThat(ChannelCredentialFiles.load(config, "hostA"))
        .isInstanceOf(ChannelSecurity.PreShared.class);
    assertThat(out.toString()).contains("NOT encrypted");
  }

  @Test
  void lockInitPreparesTheSharedDirectoryOnceAndRefusesAMissingOne() throws Exception {
    Path shared = Files.createDirectories(dir.resolve("shared"));

    assertThat(run("lock", "init", shared.toString())).as(err.toString()).isZero();
    assertThat(shared.resolve(SharedDirectoryArbiter.MARKER_FILE)).isRegularFile();
    assertThat(out.toString()).contains("Prepared " + shared);
    assertThat(run("lock", "init", shared.toString())).isZero();
    assertThat(out.toString()).contains("Already prepared: " + shared);

    assertThat(run("lock", "init", dir.resolve("not-mounted").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("go-live storage must be an existing directory");
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path.normalize()));
  }
}
