package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.topology.CommandResult;
import io.ftvm.supervisor.topology.HostRole;
import io.ftvm.supervisor.topology.NetnsCommand;
import io.ftvm.supervisor.topology.PairTopology;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts a local pair's hosts on the network of a ZooKeeper ensemble that runs in network namespaces
 * on this machine: each host namespace gets a veth {@value #HOST_INTERFACE} whose other end joins
 * the bridge {@code bridge} in {@code switchNamespace}, with the address {@code <members' /24>.201}
 * (host A) or {@code .202} (host B). One pair per switch at a time. The veths disappear with the
 * host namespaces, so the pair's normal teardown cleans up.
 */
public final class ZooKeeperSwitchAttachment implements ArbiterAttachment {
  public static final String HOST_INTERFACE = "zk0";
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperSwitchAttachment.class);

  private final ArbiterSpec spec;
  private final String switchNamespace;
  private final String bridge;
  private final NetnsCommand commands = new NetnsCommand();

  public ZooKeeperSwitchAttachment(ArbiterSpec spec, String switchNamespace, String bridge) {
    spec.validate();
    if (spec.isSharedDirectory()) {
      throw new IllegalArgumentException("a ZooKeeper switch attachment needs a zookeeper arbiter");
    }
    this.spec = spec;
    this.switchNamespace = switchNamespace;
    this.bridge = bridge;
  }

  /** The switch-side port of {@code role}'s veth (at most 15 characters). */
  public static String switchPort(PairTopology topology, HostRole role) {
    return "z" + topology.pairId() + (role == HostRole.A ? "a" : "b");
  }

  /** {@code a.b.c.host} in the /24 of the first member of {@code connect}. */
  static String addressInMembersNetwork(String connect, int host) {
    String first = connect.split(",")[0].strip();
    String ip = first.substring(0, first.lastIndexOf(':'));
    String[] octets = ip.split("\\.");
    if (octets.length != 4) {
      throw new IllegalArgumentException(
          "ZooKeeper member '" + first + "' must be an IPv4 address to attach local hosts to it");
    }
    return octets[0] + "." + octets[1] + "." + octets[2] + "." + host;
  }

  @Override
  public ArbiterSpec attach(PairTopology topology) throws IOException {
    for (HostRole role : List.of(HostRole.A, HostRole.B)) {
      String port = switchPort(topology, role);
      String host = topology.hostNamespace(role);
      String address =
          addressInMembersNetwork(spec.connect(), role == HostRole.A ? 201 : 202) + "/24";
      ip(
          "-n",
          switchNamespace,
          "link",
          "add",
          port,
          "type",
          "veth",
          "peer",
          "name",
          HOST_INTERFACE,
          "netns",
          host);
      ip("-n", switchNamespace, "link", "set", port, "master", bridge);
      ip("-n", switchNamespace, "link", "set", port, "up");
      ip("-n", host, "addr", "add", address, "dev", HOST_INTERFACE);
      ip("-n", host, "link", "set", HOST_INTERFACE, "up");
      log.info(
          "host {} ({}) reaches ZooKeeper {} as {} via {} in {}",
          role,
          host,
          spec.connect(),
          address,
          port,
          switchNamespace);
    }
    return spec;
  }

  private void ip(String... args) throws IOException {
    List<String> argv = new ArrayList<>(List.of("ip"));
    argv.addAll(List.of(args));
    CommandResult result = commands.run(argv, IP_TIMEOUT);
    if (!result.succeeded()) {
      throw new IOException(
          result.commandLine() + " failed (exit " + result.exitCode() + "): " + result.stderr());
    }
  }
}
