package io.ftvm.supervisor.pair;

import io.ftvm.channel.PairCertificateAuthority;
import io.ftvm.channel.PreSharedKey;
import io.ftvm.supervisor.vm.VmBoot;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDescriptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
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

  /** One host: its node id and the address its logging channel listens on. */
  public record Host(String nodeId, String channelAddress) {}

  /**
   * What the admin says.
   *
   * @param installDirectory where the config and credentials will live on each host (absolute)
   * @param hostStateDirectory each host's state directory for this VM (absolute)
   * @param disk each replica's disk path on its host; null: {@code <hostStateDirectory>/disk.img}
   * @param preSharedKey true: the unencrypted pre-shared-key channel instead of mutual TLS
   * @param adminGroup group allowed on the control socket besides root, or null
   * @param metricsListen "host:port" of each daemon's Prometheus endpoint, or null (off)
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
      String metricsListen) {}

  /** What was written. */
  public record Result(PairConfig config, Path outputDirectory, String instructions) {}

  private final VmDescriptions descriptions = new VmDescriptions();

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
    if (!problems.isEmpty()) {
      throw new IOException("cannot initialise the pair:\n  - " + String.join("\n  - ", problems));
    }
    ChannelCredentialFiles.PrivateFiles.createDirectory(out);
    if (request.preSharedKey()) {
      byte[] secret = new byte[PreSharedKey.MIN_BYTES];
      new SecureRandom().nextBytes(secret);
      ChannelCredentialFiles.PrivateFiles.write(
          out.resolve(PSK_FILE), HexFormat.of().formatHex(secret) + "\n");
    } else {
      PairCertificateAuthority ca =
          PairCertificateAuthority.create(
              request.vmId(), PairCertificateAuthority.DEFAULT_VALIDITY);
      ChannelCredentialFiles.write(
          out.resolve(TLS_DIRECTORY),
          ca,
          true,
          request.hosts().stream()
              .map(h -> ca.issue(h.nodeId(), PairCertificateAuthority.DEFAULT_VALIDITY))
              .toArray(PairCertificateAuthority.IssuedCertificate[]::new));
    }
    Path configFile = out.resolve(CONFIG_FILE);
    config.write(configFile);
    Files.setPosixFilePermissions(
        configFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    return new Result(config, out, instructions(request, config, vm, out));
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
      Path state = request.hostStateDirectory();
      nodes.put(
          host.nodeId(),
          new PairConfig.NodeSpec(
              state,
              request.disk() != null
                  ? request.disk()
                  : state == null ? null : state.resolve("disk.img"),
              host.channelAddress(),
              request.channelPort(),
              request.tapName(),
              request.bridge()));
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
        null);
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
    for (Host host : request.hosts()) {
      text.append("Host of node ")
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
    text.append("Once, on the shared storage (mounted at ")
        .append(config.sharedDirectory())
        .append(" on both hosts): ftvm lock init ")
        .append(config.sharedDirectory())
        .append("\n");
    if (!request.preSharedKey()) {
      text.append("Keep ")
          .append(out.resolve(TLS_DIRECTORY).resolve(ChannelCredentialFiles.CA_KEY))
          .append(" off the hosts (offline): it only issues replacement node certificates.\n");
    }
    return text.toString();
  }
}
