package io.ftvm.supervisor.pair;

import io.ftvm.channel.OwnPkiCheck;
import io.ftvm.channel.PairCertificateAuthority;
import io.ftvm.channel.PreSharedKey;
import io.ftvm.supervisor.vm.VmBoot;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDescriptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ftvm init}: turns what an admin knows about two hosts into a pair config and the logging
 * channel's credentials, in an output directory to copy from. Everything is checked before a file
 * is written, and every problem is reported at once.
 */
public final class PairInitializer {
  public static final String CONFIG_FILE = "pair.json";
  public static final String TLS_DIRECTORY = "tls";
  public static final String PSK_FILE = "channel.key";

  /** Node certificates issued from an admin's CA start this much in the past (clock skew). */
  private static final Duration ISSUE_CLOCK_SKEW = Duration.ofHours(1);

  /** One host: its node id and the address its logging channel listens on. */
  public record Host(String nodeId, String channelAddress) {}

  /**
   * The admin's own PKI instead of a CA made for this pair: their CA certificate and either its key
   * (ftvm issues the two node certificates with it) or each node's own certificate and key.
   *
   * @param caKey the CA's private key, or null when the node certificates are given
   * @param nodeCertificates node id → certificate (PEM); empty when ftvm issues them
   * @param nodeKeys node id → private key (PEM, unencrypted); empty when ftvm issues them
   */
  public record OwnPki(
      Path caCertificate,
      Path caKey,
      Map<String, Path> nodeCertificates,
      Map<String, Path> nodeKeys) {
    public OwnPki {
      nodeCertificates = Map.copyOf(nodeCertificates);
      nodeKeys = Map.copyOf(nodeKeys);
    }

    boolean issuesNodeCertificates() {
      return caKey != null;
    }
  }

  /**
   * What the admin says.
   *
   * @param installDirectory where the config and credentials will live on each host (absolute)
   * @param hostStateDirectory each host's state directory for this VM (absolute)
   * @param disk each replica's disk path on its host; null: {@code <hostStateDirectory>/disk.img}
   * @param preSharedKey true: the unencrypted pre-shared-key channel instead of mutual TLS
   * @param adminGroup group allowed on the control socket besides root, or null
   * @param metricsListen "host:port" of each daemon's Prometheus endpoint, or null (off)
   * @param arbiter the go-live arbiter; null: the shared directory
   * @param ownPki the admin's CA (and maybe node certificates); null: a new CA for this pair
   */
  public record Request(
      String vmId,
      Path vmDescription,
      List<Host> hosts,
      String initialPrimary,
      int channelPort,
      Path sharedDirectory,
      Path qemuBinary,
      Path installDirectory,
      Path hostStateDirectory,
      Path disk,
      String tapName,
      String bridge,
      PairConfig.Timing timing,
      boolean preSharedKey,
      String adminGroup,
      String metricsListen,
      ArbiterSpec arbiter,
      OwnPki ownPki,
      List<Host> spares) {
    public Request {
      spares = spares == null ? List.of() : List.copyOf(spares);
    }

    /** A request without spares, as before they existed. */
    public Request(
        String vmId,
        Path vmDescription,
        List<Host> hosts,
        String initialPrimary,
        int channelPort,
        Path sharedDirectory,
        Path qemuBinary,
        Path installDirectory,
        Path hostStateDirectory,
        Path disk,
        String tapName,
        String bridge,
        PairConfig.Timing timing,
        boolean preSharedKey,
        String adminGroup,
        String metricsListen,
        ArbiterSpec arbiter,
        OwnPki ownPki) {
      this(
          vmId,
          vmDescription,
          hosts,
          initialPrimary,
          channelPort,
          sharedDirectory,
          qemuBinary,
          installDirectory,
          hostStateDirectory,
          disk,
          tapName,
          bridge,
          timing,
          preSharedKey,
          adminGroup,
          metricsListen,
          arbiter,
          ownPki,
          List.of());
    }

    /** The pair's two hosts, then the spares: every host that gets a certificate. */
    List<Host> allHosts() {
      List<Host> all = new ArrayList<>(hosts);
      all.addAll(spares);
      return all;
    }
  }

  /** What was written. */
  public record Result(PairConfig config, Path outputDirectory, String instructions) {}

  private final VmDescriptions descriptions = new VmDescriptions();
  private final Clock clock;

  public PairInitializer() {
    this(Clock.systemUTC());
  }

  /**
   * @param clock judges certificate validity (tests pass a fixed one)
   */
  public PairInitializer(Clock clock) {
    this.clock = clock;
  }

  /** Checks the request and, only if everything is usable, writes into {@code out}. */
  public Result initialize(Request request, Path out) throws IOException {
    List<String> problems = new ArrayList<>();
    VmDescription vm = checkVm(request.vmDescription(), problems);
    checkPaths(request, problems);
    if (Files.exists(out.resolve(CONFIG_FILE))
        || Files.exists(out.resolve(TLS_DIRECTORY))
        || Files.exists(out.resolve(PSK_FILE))) {
      problems.add(
          "output directory " + out + " already holds a pair (pair.json, tls/ or channel.key)");
    }
    PairConfig config = config(request, vm);
    problems.addAll(PairConfigValidator.problems(config));
    List<String> warnings = new ArrayList<>();
    X509Certificate ownCa = checkOwnPki(request, problems, warnings);
    if (!problems.isEmpty()) {
      throw new IOException("cannot initialise the pair:\n  - " + String.join("\n  - ", problems));
    }
    ChannelCredentialFiles.PrivateFiles.createDirectory(out);
    String credentials;
    if (request.preSharedKey()) {
      byte[] secret = new byte[PreSharedKey.MIN_BYTES];
      new SecureRandom().nextBytes(secret);
      ChannelCredentialFiles.PrivateFiles.write(
          out.resolve(PSK_FILE), HexFormat.of().formatHex(secret) + "\n");
      credentials = "";
    } else if (request.ownPki() == null) {
      PairCertificateAuthority ca =
          PairCertificateAuthority.create(
              request.vmId(), PairCertificateAuthority.DEFAULT_VALIDITY);
      ChannelCredentialFiles.write(
          out.resolve(TLS_DIRECTORY),
          ca,
          true,
          request.allHosts().stream()
              .map(h -> ca.issue(h.nodeId(), PairCertificateAuthority.DEFAULT_VALIDITY))
              .toArray(PairCertificateAuthority.IssuedCertificate[]::new));
      credentials =
          "Keep "
              + out.resolve(TLS_DIRECTORY).resolve(ChannelCredentialFiles.CA_KEY)
              + " off the hosts (offline): it only issues replacement node certificates"
              + " (ftvm init --ca-cert ca.crt --ca-key ca.key).\n";
    } else {
      credentials = writeOwnPki(request, ownCa, out.resolve(TLS_DIRECTORY));
    }
    Path configFile = out.resolve(CONFIG_FILE);
    config.write(configFile);
    Files.setPosixFilePermissions(
        configFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    StringBuilder text = new StringBuilder();
    warnings.forEach(w -> text.append("WARNING: ").append(w).append("\n"));
    text.append(instructions(request, config, vm, out)).append(credentials);
    return new Result(config, out, text.toString());
  }

  /**
   * Checks the admin's own PKI (usage and the certificates themselves); returns their CA
   * certificate, or null when there is none or it is unreadable.
   */
  private X509Certificate checkOwnPki(
      Request request, List<String> problems, List<String> warnings) {
    OwnPki pki = request.ownPki();
    if (pki == null) {
      return null;
    }
    if (request.preSharedKey()) {
      problems.add("--psk and --ca-cert exclude each other (the PSK channel uses no certificates)");
      return null;
    }
    if (pki.caCertificate() == null) {
      problems.add("--ca-key, --node-cert and --node-key need --ca-cert (the CA that issued them)");
      return null;
    }
    boolean ownNodeCertificates = !pki.nodeCertificates().isEmpty() || !pki.nodeKeys().isEmpty();
    if (pki.caKey() != null && ownNodeCertificates) {
      problems.add(
          "give either --ca-key (ftvm issues the node certificates) or --node-cert/--node-key"
              + " (your own), not both");
      return null;
    }
    if (pki.caKey() == null && !ownNodeCertificates) {
      problems.add(
          "--ca-cert needs --ca-key (ftvm issues the node certificates) or --node-cert and"
              + " --node-key for every node");
      return null;
    }
    List<String> nodeIds = request.allHosts().stream().map(Host::nodeId).toList();
    for (String option : List.of("--node-cert", "--node-key")) {
      Map<String, Path> given =
          option.equals("--node-cert") ? pki.nodeCertificates() : pki.nodeKeys();
      if (pki.issuesNodeCertificates()) {
        break;
      }
      for (String id : nodeIds) {
        if (!given.containsKey(id)) {
          problems.add(option + " " + id + "=<file> is missing (needed for every node)");
        }
      }
      for (String id : given.keySet()) {
        if (!nodeIds.contains(id)) {
          problems.add(option + " " + id + ": no such node (nodes: " + nodeIds + ")");
        }
      }
    }
    OwnPkiCheck check = new OwnPkiCheck(clock.instant(), problems, warnings);
    X509Certificate ca = check.checkCa(pki.caCertificate(), pki.caKey());
    if (pki.caKey() == null) {
      for (String id : nodeIds) {
        Path certificate = pki.nodeCertificates().get(id);
        Path key = pki.nodeKeys().get(id);
        if (certificate != null && key != null) {
          check.checkNode(
              ca, id, certificate, key, nodeIds.stream().filter(n -> !n.equals(id)).toList());
        }
      }
    }
    return ca;
  }

  /** Writes the admin's CA certificate and the node certificates (issued here, or theirs). */
  private String writeOwnPki(Request request, X509Certificate caCertificate, Path tls)
      throws IOException {
    OwnPki pki = request.ownPki();
    String issuer = caCertificate.getSubjectX500Principal().getName();
    if (pki.issuesNodeCertificates()) {
      PairCertificateAuthority ca = PairCertificateAuthority.load(pki.caCertificate(), pki.caKey());
      Instant now = clock.instant();
      Instant notBefore = later(now.minus(ISSUE_CLOCK_SKEW), caCertificate.getNotBefore());
      Instant notAfter =
          earlier(now.plus(PairCertificateAuthority.DEFAULT_VALIDITY), caCertificate.getNotAfter());
      ChannelCredentialFiles.write(
          tls,
          ca,
          false,
          request.allHosts().stream()
              .map(h -> ca.issue(h.nodeId(), notBefore, notAfter))
              .toArray(PairCertificateAuthority.IssuedCertificate[]::new));
      return "Node certificates issued by your CA '"
          + issuer
          + "', valid until "
          + notAfter
          + "; its key stayed where it was ("
          + pki.caKey()
          + ").\n";
    }
    ChannelCredentialFiles.PrivateFiles.createDirectory(tls);
    ChannelCredentialFiles.PrivateFiles.write(
        tls.resolve(ChannelCredentialFiles.CA_CERTIFICATE),
        Files.readString(pki.caCertificate(), StandardCharsets.US_ASCII));
    for (Host host : request.allHosts()) {
      ChannelCredentialFiles.PrivateFiles.write(
          ChannelCredentialFiles.certificate(tls, host.nodeId()),
          Files.readString(pki.nodeCertificates().get(host.nodeId()), StandardCharsets.US_ASCII));
      ChannelCredentialFiles.PrivateFiles.write(
          ChannelCredentialFiles.key(tls, host.nodeId()),
          Files.readString(pki.nodeKeys().get(host.nodeId()), StandardCharsets.US_ASCII));
    }
    return "Your node certificates, checked against your CA '"
        + issuer
        + "' (the channel trusts only that CA and pins the peer's node name).\n";
  }

  private static Instant later(Instant instant, Date date) {
    return instant.isAfter(date.toInstant()) ? instant : date.toInstant();
  }

  private static Instant earlier(Instant instant, Date date) {
    return instant.isBefore(date.toInstant()) ? instant : date.toInstant();
  }

  private VmDescription checkVm(Path description, List<String> problems) {
    if (description == null) {
      problems.add("--vm: a VM description is required (see ftvm vm import)");
      return null;
    }
    VmDescriptions.Checked checked = descriptions.check(description);
    checked.problems().forEach(p -> problems.add("VM description " + description + ": " + p));
    VmDescription vm = checked.description();
    if (vm != null && !(vm.boot() instanceof VmBoot.DirectKernel)) {
      problems.add(
          "VM description "
              + description
              + ": pair configs boot a kernel directly (firmware boot"
              + " is not supported in pairs yet)");
    }
    if (vm != null && vm.nics().isEmpty()) {
      problems.add("VM description " + description + ": the VM needs a NIC (its MAC is announced)");
    }
    return vm;
  }

  private static void checkPaths(Request request, List<String> problems) {
    Map<String, Path> absolute = new LinkedHashMap<>();
    absolute.put("--shared-dir", request.sharedDirectory());
    absolute.put("--install-dir", request.installDirectory());
    absolute.put("--host-state-dir", request.hostStateDirectory());
    absolute.put("--qemu", request.qemuBinary());
    absolute.put("--disk", request.disk());
    absolute.forEach(
        (option, path) -> {
          if (path != null && !path.isAbsolute()) {
            problems.add(option + " must be an absolute path on the hosts, got " + path);
          }
        });
    java.util.Set<String> spareIds = new java.util.HashSet<>();
    for (Host spare : request.spares()) {
      if (!spareIds.add(spare.nodeId())) {
        problems.add("--spare " + spare.nodeId() + " is given twice");
      }
    }
    if (request.hosts().size() != 2) {
      problems.add("exactly two --node <id>=<address> are needed, got " + request.hosts().size());
    } else if (request.hosts().get(0).nodeId().equals(request.hosts().get(1).nodeId())) {
      problems.add(
          "the two nodes need different ids, both are '" + request.hosts().get(0).nodeId() + "'");
    }
  }

  private static PairConfig config(Request request, VmDescription vm) {
    Map<String, PairConfig.NodeSpec> nodes = new TreeMap<>();
    for (Host host : request.hosts()) {
      nodes.put(host.nodeId(), nodeSpec(request, host));
    }
    Map<String, PairConfig.NodeSpec> spares = new TreeMap<>();
    for (Host spare : request.spares()) {
      spares.put(spare.nodeId(), nodeSpec(request, spare));
    }
    PairConfig.GuestSpec guest = null;
    if (vm != null && vm.boot() instanceof VmBoot.DirectKernel boot && !vm.nics().isEmpty()) {
      guest =
          new PairConfig.GuestSpec(
              boot.kernel().toAbsolutePath(),
              boot.initrd() == null ? null : boot.initrd().toAbsolutePath(),
              boot.cmdline(),
              vm.memoryMib(),
              vm.nics().get(0).mac(),
              vm.guestCidr().orElse(null));
    }
    Path install = request.installDirectory();
    return new PairConfig(
        request.vmId(),
        1,
        request.initialPrimary() != null
            ? request.initialPrimary()
            : request.hosts().isEmpty() ? null : request.hosts().get(0).nodeId(),
        request.qemuBinary(),
        guest,
        nodes,
        request.sharedDirectory(),
        request.preSharedKey() && install != null ? install.resolve(PSK_FILE) : null,
        request.timing(),
        null,
        !request.preSharedKey() && install != null ? install.resolve(TLS_DIRECTORY) : null,
        request.adminGroup(),
        request.metricsListen(),
        request.arbiter(),
        spares);
  }

  /** Every host, pair node or spare, has the same layout. */
  private static PairConfig.NodeSpec nodeSpec(Request request, Host host) {
    Path state = request.hostStateDirectory();
    return new PairConfig.NodeSpec(
        state,
        request.disk() != null ? request.disk() : state == null ? null : state.resolve("disk.img"),
        host.channelAddress(),
        request.channelPort(),
        request.tapName(),
        request.bridge());
  }

  /** The VM's first disk's size in bytes, for a spare's empty image ("SIZE" if unreadable). */
  private static String diskSize(VmDescription vm) {
    try {
      return vm.disks().isEmpty() ? "SIZE" : Long.toString(Files.size(vm.disks().get(0).file()));
    } catch (IOException e) {
      return "SIZE";
    }
  }

  private static String instructions(
      Request request, PairConfig config, VmDescription vm, Path out) {
    StringBuilder text = new StringBuilder();
    Path install = request.installDirectory();
    text.append("Wrote the pair config for vm ")
        .append(config.vmId())
        .append(" to ")
        .append(out)
        .append(" (logging channel: ")
        .append(request.preSharedKey() ? "pre-shared key, NOT encrypted" : "mutual TLS 1.3")
        .append(").\n\n");
    for (Host host : request.allHosts()) {
      boolean spare = config.isSpare(host.nodeId());
      text.append(spare ? "Spare host " : "Host of node ")
          .append(host.nodeId())
          .append(" (logging link ")
          .append(host.channelAddress())
          .append(":")
          .append(request.channelPort())
          .append("):\n");
      text.append("  install -d -m 0700 ").append(install);
      if (!request.preSharedKey()) {
        text.append(" ").append(install.resolve(TLS_DIRECTORY));
      }
      text.append("\n");
      text.append("  copy ")
          .append(out.resolve(CONFIG_FILE))
          .append(" -> ")
          .append(install.resolve(CONFIG_FILE))
          .append("\n");
      if (request.preSharedKey()) {
        text.append("  copy ")
            .append(out.resolve(PSK_FILE))
            .append(" -> ")
            .append(install.resolve(PSK_FILE))
            .append("\n");
      } else {
        Path tls = out.resolve(TLS_DIRECTORY);
        Path hostTls = install.resolve(TLS_DIRECTORY);
        for (Path file :
            List.of(
                tls.resolve(ChannelCredentialFiles.CA_CERTIFICATE),
                ChannelCredentialFiles.certificate(tls, host.nodeId()),
                ChannelCredentialFiles.key(tls, host.nodeId()))) {
          text.append("  copy ")
              .append(file)
              .append(" -> ")
              .append(hostTls.resolve(file.getFileName()))
              .append("\n");
        }
      }
      text.append("  (files mode 0600, owned by root; copy e.g. with scp -p)\n");
      if (spare) {
        text.append("  no copy of the VM's disk, only an empty image of its size: truncate -s ")
            .append(diskSize(vm))
            .append(" ")
            .append(config.node(host.nodeId()).disk())
            .append(
                "\n  (a spare starts empty; after a failover its daemon offers itself and the"
                    + " surviving primary clones the running VM, disk and memory, into it)\n");
        text.append("  start: ftvm start --config ")
            .append(install.resolve(CONFIG_FILE))
            .append(" --node ")
            .append(host.nodeId())
            .append(" (joins empty, becomes the backup when a primary is alone)\n\n");
        continue;
      }
      text.append("  copy the VM's disk")
          .append(vm.disks().isEmpty() ? "" : " " + vm.disks().get(0).file())
          .append(" -> ")
          .append(config.node(host.nodeId()).disk())
          .append(" (byte-identical on both hosts)\n");
      text.append("  the VM's kernel/initrd at the same paths as in the config\n");
      text.append("  start: ftvm start --config ")
          .append(install.resolve(CONFIG_FILE))
          .append(" --node ")
          .append(host.nodeId())
          .append("\n\n");
    }
    if (config.sharedDirectory() != null) {
      text.append("Once, on the shared storage (mounted at ")
          .append(config.sharedDirectory())
          .append(" on both hosts): ftvm lock init ")
          .append(config.sharedDirectory())
          .append("\n");
    }
    return text.toString();
  }
}
