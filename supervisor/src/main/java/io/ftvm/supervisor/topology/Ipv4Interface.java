package io.ftvm.supervisor.topology;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IPv4 address with its prefix length, as {@code ip addr add} takes it ({@code 10.77.0.1/24}).
 */
public record Ipv4Interface(String address, int prefixLength) {
  private static final Pattern CIDR =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})");

  public Ipv4Interface {
    if (prefixLength < 1 || prefixLength > 30) {
      throw new IllegalArgumentException(
          "prefix length " + prefixLength + " of " + address + " is outside 1..30");
    }
    toBits(address);
  }

  /**
   * Parses {@code a.b.c.d/len}.
   *
   * @throws IllegalArgumentException naming the text and what is wrong with it
   */
  public static Ipv4Interface parse(String cidr) {
    Matcher m = CIDR.matcher(cidr == null ? "" : cidr.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + cidr + "' is not an IPv4 address with prefix length such as 10.77.0.1/24");
    }
    String address = m.group(1) + "." + m.group(2) + "." + m.group(3) + "." + m.group(4);
    return new Ipv4Interface(address, Integer.parseInt(m.group(5)));
  }

  /** The address in {@code a.b.c.d/len} form. */
  public String cidr() {
    return address + "/" + prefixLength;
  }

  /** Whether both addresses lie in the same network, judged by this interface's prefix. */
  public boolean sameNetworkAs(Ipv4Interface other) {
    return prefixLength == other.prefixLength && network() == other.network();
  }

  /** Whether the two networks share any address. */
  public boolean overlaps(Ipv4Interface other) {
    int common = Math.min(prefixLength, other.prefixLength);
    return new Ipv4Interface(address, common)
        .sameNetworkAs(new Ipv4Interface(other.address, common));
  }

  /** Whether the address is the network or the broadcast address of its own prefix. */
  public boolean isNetworkOrBroadcast() {
    long hostBits = toBits(address) & ~mask() & 0xffffffffL;
    return hostBits == 0 || hostBits == (~mask() & 0xffffffffL);
  }

  private long network() {
    return toBits(address) & mask();
  }

  private long mask() {
    return (0xffffffffL << (32 - prefixLength)) & 0xffffffffL;
  }

  private static long toBits(String address) {
    String[] octets = address.split("\\.", -1);
    if (octets.length != 4) {
      throw new IllegalArgumentException("'" + address + "' is not a dotted IPv4 address");
    }
    long bits = 0;
    for (String octet : octets) {
      int value;
      try {
        value = Integer.parseInt(octet);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + address + "' is not a dotted IPv4 address", e);
      }
      if (value < 0 || value > 255) {
        throw new IllegalArgumentException(
            "octet " + value + " of '" + address + "' is outside 0..255");
      }
      bits = (bits << 8) | value;
    }
    return bits;
  }

  @Override
  public String toString() {
    return cidr();
  }
}
