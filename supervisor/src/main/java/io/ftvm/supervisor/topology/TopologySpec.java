package io.ftvm.supervisor.topology;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What a {@link PairTopology} looks like: its pair id (which names every namespace), the LAN and
 * logging-link addresses, and where the owner marker lives.
 *
 * @param pairId 1 to 12 lowercase letters or digits; all namespaces are {@code ftvm-<pairId>-*}
 * @param hostA address of host A on the LAN (lives on A's {@code br0})
 * @param hostB address of host B on the LAN (lives on B's {@code br0})
 * @param client address of the client on the LAN (lives on the client's {@code eth0})
 * @param guest address the guest VM will use; the topology only reserves it
 * @param guestMac MAC address the guest VM will use; the topology only reserves it
 * @param loggingA address of host A on the logging link ({@code log0})
 * @param loggingB address of host B on the logging link ({@code log0})
 * @param markerDirectory where {@code topology-<pairId>.pid} records the creating process
 * @param spare address of the optional spare host on the LAN, or null: no spare host
 * @param loggingSpare the spare host's address on the logging link (null without a spare)
 */
public record TopologySpec(
    String pairId,
    Ipv4Interface hostA,
    Ipv4Interface hostB,
    Ipv4Interface client,
    Ipv4Interface guest,
    String guestMac,
    Ipv4Interface loggingA,
    Ipv4Interface loggingB,
    Path markerDirectory,
    Ipv4Interface spare,
    Ipv4Interface loggingSpare) {

  /** Every namespace this code creates is named {@code ftvm-<pairId>-<a|b|c|lan>}. */
  public static final String NAMESPACE_PREFIX = "ftvm-";

  /** Suffix of the namespace that plays the LAN switch. */
  public static final String LAN_SUFFIX = "lan";

  /** Matches exactly the namespace names a topology creates; group 1 is the pair id. */
  public static final Pattern NAMESPACE_PATTERN =
      Pattern.compile("ftvm-([a-z0-9]{1,12})-(a|b|c|lan|s)");

  public static final Path DEFAULT_MARKER_DIRECTORY = Path.of("/run/ftvm");

  private static final Pattern PAIR_ID = Pattern.compile("[a-z0-9]{1,12}");
  private static final Pattern MAC = Pattern.compile("[0-9a-f]{2}(:[0-9a-f]{2}){5}");

  public TopologySpec {
    if (pairId == null || !PAIR_ID.matcher(pairId).matches()) {
      throw new IllegalArgumentException(
          "pair id '" + pairId + "' must be 1 to 12 lowercase letters or digits");
    }
    requireAll(hostA, hostB, client, guest, loggingA, loggingB, markerDirectory, guestMac);
    guestMac = guestMac.toLowerCase(Locale.ROOT);
    if (!MAC.matcher(guestMac).matches()) {
      throw new IllegalArgumentException(
          "guest MAC '" + guestMac + "' is not six colon-separated hex octets");
    }
    if ((HexFormat.fromHexDigits(guestMac, 0, 2) & 1) != 0) {
      throw new IllegalArgumentException(
          "guest MAC " + guestMac + " is a multicast address (lowest bit of the first octet set)");
    }
    Map<String, Ipv4Interface> lan = new LinkedHashMap<>();
    lan.put("host A", hostA);
    lan.put("host B", hostB);
    lan.put("client", client);
    lan.put("guest", guest);
    if ((spare == null) != (loggingSpare == null)) {
      throw new IllegalArgumentException(
          "a spare host needs both its LAN and its logging-link address");
    }
    if (spare != null) {
      lan.put("spare", spare);
    }
    requireOneNetwork("LAN", lan, hostA);
    Map<String, Ipv4Interface> logging = new LinkedHashMap<>();
    logging.put("host A", loggingA);
    logging.put("host B", loggingB);
    if (loggingSpare != null) {
      logging.put("spare", loggingSpare);
    }
    requireOneNetwork("logging link", logging, loggingA);
    if (loggingA.overlaps(hostA)) {
      throw new IllegalArgumentException(
          "logging link "
              + loggingA
              + " overlaps the LAN "
              + hostA
              + "; cutting it would need to be separable from the LAN");
    }
  }

  /** A topology without a spare host, as before spares existed. */
  public TopologySpec(
      String pairId,
      Ipv4Interface hostA,
      Ipv4Interface hostB,
      Ipv4Interface client,
      Ipv4Interface guest,
      String guestMac,
      Ipv4Interface loggingA,
      Ipv4Interface loggingB,
      Path markerDirectory) {
    this(
        pairId,
        hostA,
        hostB,
        client,
        guest,
        guestMac,
        loggingA,
        loggingB,
        markerDirectory,
        null,
        null);
  }

  /**
   * The same topology with a spare host (namespace {@code ftvm-ID-s}) at LAN .3 and logging-link
   * .3; the logging link widens to a /29 so three hosts fit on it.
   */
  public TopologySpec withSpare() {
    return new TopologySpec(
        pairId,
        hostA,
        hostB,
        client,
        guest,
        guestMac,
        new Ipv4Interface(loggingA.address(), 29),
        new Ipv4Interface(loggingB.address(), 29),
        markerDirectory,
        new Ipv4Interface(lastOctet(hostA, 3), hostA.prefixLength()),
        new Ipv4Interface(lastOctet(loggingA, 3), 29));
  }

  /** {@code address} in the same /24 with another last octet. */
  private static String lastOctet(Ipv4Interface address, int octet) {
    String a = address.address();
    return a.substring(0, a.lastIndexOf('.') + 1) + octet;
  }

  /** Whether this topology has the spare host. */
  public boolean hasSpare() {
    return spare != null;
  }

  /** The default addresses: LAN 10.77.0.0/24, logging link 10.78.0.0/30, guest .10. */
  public static TopologySpec defaults(String pairId) {
    return new TopologySpec(
        pairId,
        Ipv4Interface.parse("10.77.0.1/24"),
        Ipv4Interface.parse("10.77.0.2/24"),
        Ipv4Interface.parse("10.77.0.100/24"),
        Ipv4Interface.parse("10.77.0.10/24"),
        "52:54:00:77:00:10",
        Ipv4Interface.parse("10.78.0.1/30"),
        Ipv4Interface.parse("10.78.0.2/30"),
        DEFAULT_MARKER_DIRECTORY);
  }

  /** A fresh random 6-character pair id, unlikely to collide with a concurrent test run. */
  public static String randomPairId() {
    byte[] bytes = new byte[3];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public TopologySpec withMarkerDirectory(Path directory) {
    return new TopologySpec(
        pairId,
        hostA,
        hostB,
        client,
        guest,
        guestMac,
        loggingA,
        loggingB,
        directory,
        spare,
        loggingSpare);
  }

  /** The namespace of a host, e.g. {@code ftvm-1a2b3c-a}. */
  public String namespace(HostRole role) {
    return NAMESPACE_PREFIX + pairId + "-" + role.suffix();
  }

  /** The namespace holding the LAN switch and the logging-link switch. */
  public String lanNamespace() {
    return namespacesOf(pairId).get(3);
  }

  /** All namespaces of the topology, hosts first, in creation order (the spare's last). */
  public List<String> namespaces() {
    List<String> all = namespacesOf(pairId);
    return hasSpare() ? all : all.subList(0, 4);
  }

  /**
   * The namespaces a topology with this pair id may have (or had), whatever its addresses: the
   * spare host's last, absent in a topology without one.
   */
  public static List<String> namespacesOf(String pairId) {
    String base = NAMESPACE_PREFIX + pairId + "-";
    return List.of(
        base + HostRole.A.suffix(),
        base + HostRole.B.suffix(),
        base + HostRole.CLIENT.suffix(),
        base + LAN_SUFFIX,
        base + HostRole.SPARE.suffix());
  }

  /** The address a host has on the LAN. */
  public Ipv4Interface lanAddress(HostRole role) {
    return switch (role) {
      case A -> hostA;
      case B -> hostB;
      case CLIENT -> client;
      case SPARE -> requireSpare(spare);
    };
  }

  /** The address a pair member has on the logging link. */
  public Ipv4Interface loggingAddress(HostRole role) {
    return switch (role) {
      case A -> loggingA;
      case B -> loggingB;
      case CLIENT -> throw new IllegalArgumentException("the client is not on the logging link");
      case SPARE -> requireSpare(loggingSpare);
    };
  }

  private Ipv4Interface requireSpare(Ipv4Interface address) {
    if (address == null) {
      throw new IllegalArgumentException("topology " + pairId + " has no spare host");
    }
    return address;
  }

  /** The owner marker file of this topology. */
  public Path markerFile() {
    return markerFile(markerDirectory, pairId);
  }

  static Path markerFile(Path directory, String pairId) {
    return directory.resolve("topology-" + pairId + ".pid");
  }

  private static void requireAll(Object... values) {
    for (Object value : values) {
      if (value == null) {
        throw new IllegalArgumentException(
            "every topology address, the MAC and the marker directory are required");
      }
    }
  }

  private static void requireOneNetwork(
      String what, Map<String, Ipv4Interface> members, Ipv4Interface reference) {
    for (Map.Entry<String, Ipv4Interface> member : members.entrySet()) {
      Ipv4Interface address = member.getValue();
      if (!address.sameNetworkAs(reference)) {
        throw new IllegalArgumentException(
            what
                + " address of "
                + member.getKey()
                + " ("
                + address
                + ") is not in the same network as "
                + reference);
      }
      if (address.isNetworkOrBroadcast()) {
        throw new IllegalArgumentException(
            what
                + " address of "
                + member.getKey()
                + " ("
                + address
                + ") is the network or broadcast address");
      }
    }
    long distinct = members.values().stream().map(Ipv4Interface::address).distinct().count();
    if (distinct != members.size()) {
      throw new IllegalArgumentException(what + " addresses must be distinct: " + members);
    }
  }
}
