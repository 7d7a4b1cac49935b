package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.channel.ChannelSecurity;
import io.ftvm.supervisor.pair.ChannelCredentialFiles;
import io.ftvm.supervisor.pair.PairConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code ftvm init --ca-cert/--ca-key} and {@code --node-cert/--node-key}: the admin's own PKI is
 * accepted when the channel will accept it, and every way it would not is refused up front, with
 * nothing written.
 */
class InitOwnPkiTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path vm;
  private AdminPki pki;
  private AdminPki.Issued ca;

  @BeforeEach
  void vmAndPki() throws Exception {
    Path vmDir = Files.createDirectories(dir.resolve("vm"));
    Files.write(vmDir.resolve("disk.img"), new byte[4096]);
    Files.write(vmDir.resolve("vmlinuz"), new byte[16]);
    vm = vmDir.resolve("vm.json");
    Files.writeString(
        vm,
        """
        {"format": 2, "name": "web", "memoryMiB": 256,
         "boot": {"from": "kernel", "kernel": "vmlinuz", "cmdline": "console=ttyS0"},
         "disks": [{"file": "disk.img"}],
         "nics": [{"mac": "52:54:00:12:34:56"}]}
        """);
    pki = new AdminPki(dir.resolve("pki"));
    ca = pki.selfSignedCa("corp-ca", AdminPki.Spec.authority("Example Corp FT CA"));
  }

  private int run(List<String> args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args.toArray(String[]::new));
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
                "a=10.0.0.1",
                "--node",
                "b=10.0.0.2",
                "--shared-dir",
                "/mnt/ftvm",
                "--qemu",
                "/opt/ftvm/qemu-system-x86_64",
                "--install-dir",
                output.toString(),
                "-o",
                output.toString(),
                "--ca-cert",
                ca.certificateFile().toString()));
    args.addAll(List.of(extra));
    return args;
  }

  private List<String> ownNodes(Path output, AdminPki.Issued a, AdminPki.Issued b) {
    return initArgs(
        output,
        "--node-cert",
        "a=" + a.certificateFile(),
        "--node-key",
        "a=" + a.keyFile(),
        "--node-cert",
        "b=" + b.certificateFile(),
        "--node-key",
        "b=" + b.keyFile());
  }

  @Test
  void withTheCaKeyFtvmIssuesNodeCertificatesFromTheAdminsRsaCaAndDoesNotCopyItsKey()
      throws Exception {
    Path output = dir.resolve("out");

    int status = run(initArgs(output, "--ca-key", ca.keyFile().toString()));

    assertThat(status).as(err.toString()).isZero();
    Path tls = output.resolve("tls");
    assertThat(tls.resolve("ca.key")).doesNotExist();
    assertThat(Files.readString(tls.resolve("ca.crt")))
        .isEqualToIgnoringNewLines(Files.readString(ca.certificateFile()));
    PairConfig config = PairConfig.read(output.resolve("pair.json"));
    for (String node : List.of("a", "b")) {
      ChannelSecurity.MutualTls security =
          (ChannelSecurity.MutualTls) ChannelCredentialFiles.load(config, node);
      assertThat(security.credentials().nodeId()).isEqualTo(node);
      assertThat(security.credentials().certificate().getIssuerX500Principal())
          .isEqualTo(ca.certificate().getSubjectX500Principal());
      assertThat(security.credentials().certificate().getNotAfter())
          .isBeforeOrEqualTo(ca.certificate().getNotAfter());
    }
    assertThat(out.toString())
        .contains("issued by your CA 'CN=Example Corp FT CA'")
        .contains("its key stayed where it was")
        .doesNotContain("off the hosts");
  }

  @Test
  void ownNodeCertificatesNamingTheNodeAsSanAreCopiedAndLoadable() throws Exception {
    Path output = dir.resolve("out");
    AdminPki.Issued a =
        pki.issue("host-a", ca, AdminPki.Spec.node("host-a.example.com").withDnsNames("a"));
    AdminPki.Issued b = pki.issue("host-b", ca, AdminPki.Spec.node("b"));

    int status = run(ownNodes(output, a, b));

    assertThat(status).as(err.toString()).isZero();
    Path tls = output.resolve("tls");
    assertThat(Files.readString(tls.resolve("a.key"))).isEqualTo(Files.readString(a.keyFile()));
    assertThat(Files.readString(tls.resolve("b.crt")))
        .isEqualTo(Files.readString(b.certificateFile()));
    PairConfig config = PairConfig.read(output.resolve("pair.json"));
    ChannelSecurity.MutualTls security =
        (ChannelSecurity.MutualTls) ChannelCredentialFiles.load(config, "a");
    assertThat(security.credentials().nodeNames()).containsExactly("host-a.example.com", "a");
    assertThat(security.expectedPeerNodeId()).isEqualTo("b");
    assertThat(out.toString()).contains("Your node certificates, checked against your CA");
  }

  @Test
  void everyFlawOfTheAdminsCertificatesIsListedAndNothingIsWritten() throws Exception {
    Path output = dir.resolve("bad");
    AdminPki.Issued otherCa = pki.selfSignedCa("other-ca", AdminPki.Spec.authority("Other CA"));
    // a: from another CA, and its key is b's; b: names both nodes and is server-only.
    AdminPki.Issued a = pki.issue("a", otherCa, AdminPki.Spec.node("a"));
    AdminPki.Issued b = pki.issue("b", ca, AdminPki.Spec.node("b").withDnsNames("a").serverOnly());
    List<String> args =
        initArgs(
            output,
            "--node-cert",
            "a=" + a.certificateFile(),
            "--node-key",
            "a=" + b.keyFile(),
            "--node-cert",
            "b=" + b.certificateFile(),
            "--node-key",
            "b=" + b.keyFile());

    int status = run(args);

    assertThat(status).isEqualTo(1);
    assertThat(err.toString())
        .contains("is not signed by CA 'CN=Example Corp FT CA'")
        .contains("--node-key " + b.keyFile() + " is not the private key of node a certificate")
        .contains("node b certificate " + b.certificateFile() + " also names node 'a'")
        .contains("is not for both TLS server and client use");
    assertThat(output).doesNotExist();
  }

  @Test
  void expiredCertificatesAndAWrongNameAreRefusedAndSoonExpiringOnesWarned() throws Exception {
    Path output = dir.resolve("expired");
    AdminPki.Issued a =
        pki.issue("a", ca, AdminPki.Spec.node("a").expiredOn(Instant.now().minusSeconds(60)));
    AdminPki.Issued b = pki.issue("b", ca, AdminPki.Spec.node("hostb"));

    assertThat(run(ownNodes(output, a, b))).isEqualTo(1);

    assertThat(err.toString())
        .contains("node a certificate " + a.certificateFile() + " expired on")
        .contains("names [hostb], not 'b'")
        .contains("--node hostb=<address>");
    assertThat(output).doesNotExist();

    Path soon = dir.resolve("soon");
    AdminPki.Issued shortLived =
        pki.issue(
            "a2", ca, AdminPki.Spec.node("a").expiredOn(Instant.now().plus(Duration.ofDays(5))));
    AdminPki.Issued good = pki.issue("b2", ca, AdminPki.Spec.node("b"));
    assertThat(run(ownNodes(soon, shortLived, good))).as(err.toString()).isZero();
    assertThat(out.toString()).contains("WARNING: node a certificate").contains("expires on");
  }

  @Test
  void aNonCaAsCaAMismatchedCaKeyAndIncompleteOptionsAreRefused() throws Exception {
    AdminPki.Issued leaf = pki.issue("leaf", ca, AdminPki.Spec.node("a"));
    AdminPki.Issued otherCa = pki.selfSignedCa("other-ca", AdminPki.Spec.authority("Other CA"));
    List<String> notACa = initArgs(dir.resolve("x1"), "--ca-key", leaf.keyFile().toString());
    notACa.set(notACa.indexOf(ca.certificateFile().toString()), leaf.certificateFile().toString());

    assertThat(run(notACa)).isEqualTo(1);
    assertThat(err.toString()).contains("is not a CA certificate");

    assertThat(run(initArgs(dir.resolve("x2"), "--ca-key", otherCa.keyFile().toString())))
        .isEqualTo(1);
    assertThat(err.toString()).contains("is not the private key of CA certificate");

    assertThat(
            run(
                initArgs(
                    dir.resolve("x3"),
                    "--node-cert",
                    "a=" + leaf.certificateFile(),
                    "--node-key",
                    "a=" + leaf.keyFile())))
        .isEqualTo(1);
    assertThat(err.toString())
        .contains("--node-cert b=<file> is missing")
        .contains("--node-key b=<file> is missing");

    assertThat(run(initArgs(dir.resolve("x4")))).isEqualTo(1);
    assertThat(err.toString()).contains("--ca-cert needs --ca-key");

    assertThat(run(initArgs(dir.resolve("x5"), "--ca-key", ca.keyFile().toString(), "--psk")))
        .isEqualTo(1);
    assertThat(err.toString()).contains("--psk and --ca-cert exclude each other");
    for (String x : List.of("x1", "x2", "x3", "x4", "x5")) {
      assertThat(dir.resolve(x)).doesNotExist();
    }
  }

  @Test
  void zooKeeperArbiterNeedsNoSharedDirectory() throws Exception {
    Path output = dir.resolve("zk");
    List<String> args = initArgs(output, "--ca-key", ca.keyFile().toString());
    int shared = args.indexOf("--shared-dir");
    args.remove(shared);
    args.remove(shared);
    args.addAll(List.of("--zookeeper", "10.0.0.5:2181,10.0.0.6:2181,10.0.0.7:2181"));

    assertThat(run(args)).as(err.toString()).isZero();

    PairConfig config = PairConfig.read(output.resolve("pair.json"));
    assertThat(config.sharedDirectory()).isNull();
    assertThat(config.arbiterSpec().isSharedDirectory()).isFalse();
    assertThat(out.toString()).doesNotContain("lock init");
  }
}
