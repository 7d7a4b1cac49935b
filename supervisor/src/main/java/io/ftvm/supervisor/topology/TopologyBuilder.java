package io.ftvm.supervisor.topology;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lays out the namespaces, bridges and veth pairs of a topology. Every interface is created
 * directly inside one of the topology's namespaces (a veth's peer goes straight into its target
 * namespace), so nothing ever appears in the root namespace and deleting the namespaces removes
 * everything.
 */
final class TopologyBuilder {
  private static final Logger log = LoggerFactory.getLogger(TopologyBuilder.class);

  /** Bridge of the LAN switch (in the lan namespace) and of each pair member. */
  static final String BRIDGE = "br0";

  /** Bridge in the lan namespace that carries only the logging link. */
  static final String LOGGING_BRIDGE = "brlog";

  /** A host's uplink to the LAN switch. */
  static final String UPLINK = "eth0";

  /** A pair member's interface on the logging link. */
  static final String LOGGING_INTERFACE = "log0";

  private static final String[] IPV6_QUIET = {
    "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"
  };

  private final TopologySpec spec;
  private final IpNetns netns;
  private final List<String> created = new ArrayList<>();

  TopologyBuilder(TopologySpec spec, IpNetns netns) {
    this.spec = spec;
    this.netns = netns;
  }

  /** The switch port (in the lan namespace) a host's uplink plugs into, e.g. {@code port-a}. */
  static String lanPort(HostRole role) {
    return "port-" + role.suffix();
  }

  /** The logging switch port (in the lan namespace) of a pair member, e.g. {@code log-a}. */
  static String loggingPort(HostRole role) {
    return "log-" + role.suffix();
  }

  /** Fixed bridge MAC, so attaching a TAP with a lower MAC does not change the host's address. */
  static String bridgeMac(HostRole role) {
    return switch (role) {
      case A -> "02:77:00:00:00:0a";
      case SPARE -> "02:77:00:00:00:0c";
      default -> "02:77:00:00:00:0b";
    };
  }

  /**
   * Builds the whole topology.
   *
   * @throws TopologyException after removing every namespace this call created (and only those)
   */
  void build() {
    try {
      for (String namespace : spec.namespaces()) {
        netns.add(namespace);
        created.add(namespace);
        prepare(namespace);
      }
      buildSwitch();
      buildPairMember(HostRole.A);
      buildPairMember(HostRole.B);
      if (spec.hasSpare()) {
        buildPairMember(HostRole.SPARE);
      }
      buildClient();
    } catch (RuntimeException e) {
      rollBack(e);
      throw new TopologyException(
          "creating topology " + spec.pairId() + " failed and was rolled back: " + e.getMessage(),
          e);
    }
  }

  private void rollBack(RuntimeException cause) {
    log.warn("topology {} failed half-way; removing {}", spec.pairId(), created);
    List<String> failures = new NamespaceTeardown(netns).remove(created);
    for (String failure : failures) {
      cause.addSuppressed(new TopologyException("rollback left " + failure));
    }
  }

  private void prepare(String namespace) {
    netns.ip(namespace, "link", "set", "lo", "up");
    // Before any interface exists, so "default" reaches them all: no DAD wait, no router
    // solicitations or MLD reports on the LAN the guest's input is recorded from.
    List<String> sysctl = new ArrayList<>(List.of("sysctl", "-q", "-w"));
    sysctl.addAll(List.of(IPV6_QUIET));
    netns.runner().runChecked(IpNetns.execArgv(namespace, sysctl), IpNetns.IP_TIMEOUT);
  }

  private void buildSwitch() {
    String lan = spec.lanNamespace();
    addBridge(lan, BRIDGE, null);
    addBridge(lan, LOGGING_BRIDGE, null);
  }

  private void buildPairMember(HostRole role) {
    String host = spec.namespace(role);
    String lan = spec.lanNamespace();
    addBridge(host, BRIDGE, bridgeMac(role));
    netns.ip(
        host, "link", "add", UPLINK, "type", "veth", "peer", "name", lanPort(role), "netns", lan);
    netns.ip(host, "link", "set", UPLINK, "master", BRIDGE);
    netns.ip(host, "link", "set", UPLINK, "up");
    netns.ip(host, "addr", "add", spec.lanAddress(role).cidr(), "dev", BRIDGE);
    plugIntoSwitch(lan, lanPort(role), BRIDGE);

    netns.ip(
        host,
        "link",
        "add",
        LOGGING_INTERFACE,
        "type",
        "veth",
        "peer",
        "name",
        loggingPort(role),
        "netns",
        lan);
    netns.ip(host, "addr", "add", spec.loggingAddress(role).cidr(), "dev", LOGGING_INTERFACE);
    netns.ip(host, "link", "set", LOGGING_INTERFACE, "up");
    plugIntoSwitch(lan, loggingPort(role), LOGGING_BRIDGE);
  }

  private void buildClient() {
    String client = spec.namespace(HostRole.CLIENT);
    String lan = spec.lanNamespace();
    netns.ip(
        client,
        "link",
        "add",
        UPLINK,
        "type",
        "veth",
        "peer",
        "name",
        lanPort(HostRole.CLIENT),
        "netns",
        lan);
    netns.ip(client, "addr", "add", spec.client().cidr(), "dev", UPLINK);
    netns.ip(client, "link", "set", UPLINK, "up");
    plugIntoSwitch(lan, lanPort(HostRole.CLIENT), BRIDGE);
  }

  private void addBridge(String namespace, String name, String mac) {
    List<String> args = new ArrayList<>(List.of("link", "add", name));
    if (mac != null) {
      args.addAll(List.of("address", mac));
    }
    // No STP and no forward delay: a port forwards as soon as it is up, so a restored link or a
    // newly attached TAP carries traffic at once instead of after 2 x 15 s of listening/learning.
    args.addAll(List.of("type", "bridge", "stp_state", "0", "forward_delay", "0"));
    netns.ip(namespace, args.toArray(String[]::new));
    netns.ip(namespace, "link", "set", name, "up");
  }

  private void plugIntoSwitch(String lan, String port, String bridge) {
    netns.ip(lan, "link", "set", port, "master", bridge);
    netns.ip(lan, "link", "set", port, "up");
  }
}
