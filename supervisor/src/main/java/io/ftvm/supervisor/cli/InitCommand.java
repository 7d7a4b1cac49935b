package io.ftvm.supervisor.cli;

import io.ftvm.supervisor.pair.ArbiterSpec;
import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.pair.PairInitializer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ftvm init}: the pair config and channel credentials for two real hosts. */
@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    versionProvider = FtvmVersionProvider.class,
    description = {
      "Write the pair config for two named hosts and the logging channel's credentials (a CA"
          + " for this pair and a certificate + key per node, for mutual TLS 1.3) into an"
          + " output directory, and print what to copy to which host. Everything is checked"
          + " first; nothing is written if anything is wrong.",
      "Exit status: 0 written, 1 invalid input (every problem is listed), 2 bad usage."
    })
public final class InitCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin LoggingMixin logging;

  @Option(
      names = "--vm-id",
      required = true,
      paramLabel = "<name>",
      description = "Names the VM on shared storage and on the channel.")
  String vmId;

  @Option(
      names = "--vm",
      required = true,
      paramLabel = "<description>",
      description = "The VM description (vm.json or its directory, see ftvm vm import).")
  Path vm;

  @Option(
      names = "--node",
      required = true,
      paramLabel = "<id>=<address>",
      description =
          "A node and the address its logging channel listens on (the logging link);"
              + " give exactly two, e.g. --node a=10.0.0.1 --node b=10.0.0.2.")
  LinkedHashMap<String, String> nodes;

  @Option(
      names = "--spare",
      paramLabel = "<id>=<address>",
      description =
          "A spare host that may become the backup after a failover when the failed host does"
              + " not come back, and the address its logging channel listens on; repeatable,"
              + " e.g. --spare c=10.0.0.3. It gets a certificate from the pair's CA like the"
              + " nodes and starts empty (ftvm start --config pair.json --node c).")
  LinkedHashMap<String, String> spares = new LinkedHashMap<>();

  @Option(
      names = "--primary",
      paramLabel = "<id>",
      description = "Node that starts as primary. Default: the first --node.")
  String primary;

  @Option(
      names = "--channel-port",
      defaultValue = "7400",
      paramLabel = "<port>",
      description = "Logging channel port. Default: ${DEFAULT-VALUE}.")
  int channelPort;

  @Option(
      names = "--shared-dir",
      paramLabel = "<dir>",
      description =
          "Shared storage of the go-live arbiter (the same NFS export mounted here on both"
              + " hosts). Needed unless --zookeeper is given.")
  Path sharedDir;

  @Option(
      names = "--zookeeper",
      paramLabel = "<host:port,...>",
      description =
          "Decide go-live on this ZooKeeper ensemble instead of a shared directory (both hosts"
              + " must reach it).")
  String zooKeeper;

  @Option(
      names = "--ca-cert",
      paramLabel = "<file>",
      description =
          "Your own CA (PEM) instead of a CA made for this pair: the channel trusts only it."
              + " With --ca-key ftvm issues the node certificates; with --node-cert/--node-key"
              + " yours are checked and used.")
  Path caCert;

  @Option(
      names = "--ca-key",
      paramLabel = "<file>",
      description = "With --ca-cert: the CA's private key (PEM); it is not copied.")
  Path caKey;

  @Option(
      names = "--node-cert",
      paramLabel = "<id>=<file>",
      description =
          "With --ca-cert: a node's own certificate (PEM, issued by that CA, naming the node as"
              + " CN or DNS SAN, for TLS server and client); one per node.")
  Map<String, Path> nodeCerts = new LinkedHashMap<>();

  @Option(
      names = "--node-key",
      paramLabel = "<id>=<file>",
      description = "With --node-cert: that node's private key (unencrypted PEM); one per node.")
  Map<String, Path> nodeKeys = new LinkedHashMap<>();

  @Option(
      names = "--qemu",
      required = true,
      paramLabel = "<binary>",
      description = "The patched qemu-system-x86_64 on the hosts.")
  Path qemu;

  @Option(
      names = "--install-dir",
      paramLabel = "<dir>",
      description = "Where config and credentials live on the hosts. Default: /etc/ftvm/<vm-id>.")
  Path installDir;

  @Option(
      names = "--host-state-dir",
      paramLabel = "<dir>",
      description = "Each host's state directory for this VM. Default: /var/lib/ftvm/<vm-id>.")
  Path hostStateDir;

  @Option(
      names = "--disk",
      paramLabel = "<file>",
      description = "Each replica's disk on its host. Default: <host-state-dir>/disk.img.")
  Path disk;

  @Option(
      names = "--tap",
      defaultValue = "ftvm0",
      paramLabel = "<name>",
      description = "TAP device of the VM's NIC. Default: ${DEFAULT-VALUE}.")
  String tap;

  @Option(
      names = "--bridge",
      defaultValue = "br0",
      paramLabel = "<name>",
      description = "Host bridge of the VM's LAN. Default: ${DEFAULT-VALUE}.")
  String bridge;

  @Option(
      names = "--detection-timeout",
      paramLabel = "<duration>",
      defaultValue = PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS + "ms",
      converter = DurationConverter.class,
      description = "Peer declared lost after this much silence. Default: ${DEFAULT-VALUE}.")
  Duration detectionTimeout;

  @Option(
      names = "--heartbeat",
      paramLabel = "<duration>",
      defaultValue = PairConfig.Timing.DEFAULT_HEARTBEAT_MILLIS + "ms",
      converter = DurationConverter.class,
      description = "Heartbeat interval. Default: ${DEFAULT-VALUE}.")
  Duration heartbeat;

  @Option(
      names = "--psk",
      description =
          "Use the pre-shared-key channel (authenticated, NOT encrypted) instead of mutual TLS.")
  boolean psk;

  @Option(
      names = "--admin-group",
      paramLabel = "<group>",
      description =
          "Group whose members may run status/failover/stop besides root (control socket 0660,"
              + " state directory 0750). Default: root only (0600/0700).")
  String adminGroup;

  @Option(
      names = "--metrics-listen",
      paramLabel = "<host:port>",
      description =
          "Serve Prometheus metrics at http://<host:port>/metrics on each node (e.g."
              + " 0.0.0.0:9464). Default: off.")
  String metricsListen;

  @Option(
      names = {"-o", "--out"},
      required = true,
      paramLabel = "<dir>",
      description = "Output directory (created 0700).")
  Path out;

  private PairInitializer.OwnPki ownPki() {
    if (caCert == null && caKey == null && nodeCerts.isEmpty() && nodeKeys.isEmpty()) {
      return null;
    }
    return new PairInitializer.OwnPki(caCert, caKey, nodeCerts, nodeKeys);
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter stdout = spec.commandLine().getOut();
    List<PairInitializer.Host> hosts = new ArrayList<>();
    for (Map.Entry<String, String> node : nodes.entrySet()) {
      hosts.add(new PairInitializer.Host(node.getKey(), node.getValue()));
    }
    List<PairInitializer.Host> spareHosts = new ArrayList<>();
    spares.forEach((id, address) -> spareHosts.add(new PairInitializer.Host(id, address)));
    Path install = installDir != null ? installDir : Path.of("/etc/ftvm", vmId);
    Path state = hostStateDir != null ? hostStateDir : Path.of("/var/lib/ftvm", vmId);
    PairConfig.Timing defaults = PairConfig.Timing.defaults();
    PairConfig.Timing timing =
        new PairConfig.Timing(
            heartbeat.toMillis(),
            detectionTimeout.toMillis(),
            defaults.maxUnackedBytes(),
            defaults.maxLagMillis(),
            defaults.maxReplayBacklogBytes(),
            defaults.goLiveDeadlineMillis(),
            defaults.maxReplayLagMillis(),
            defaults.replayStallMillis());
    PairInitializer.Request request =
        new PairInitializer.Request(
            vmId,
            vm,
            hosts,
            primary,
            channelPort,
            sharedDir,
            qemu,
            install,
            state,
            disk,
            tap,
            bridge,
            timing,
            psk,
            adminGroup,
            metricsListen,
            zooKeeper == null ? null : ArbiterSpec.zooKeeper(zooKeeper),
            ownPki(),
            spareHosts);
    try {
      PairInitializer.Result result = new PairInitializer().initialize(request, out);
      stdout.print(result.instructions());
      stdout.flush();
      return ExitStatus.OK;
    } catch (IOException e) {
      err.println("ftvm init: " + e.getMessage());
      err.flush();
      return ExitStatus.FAILED;
    }
  }
}
