package io.ftvm.supervisor.pair;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Learns the guest's IPv4 address from its own frames, for a guest whose address ftvm was not told
 * (DHCP, or an admin who left it out): the sender address of its ARP packets and the source address
 * of its IPv4 packets, in frames whose Ethernet source is the VM's MAC. Unspecified (DHCP's
 * 0.0.0.0, ARP probes), broadcast and multicast addresses are not the guest's. The latest address
 * wins: a guest may renumber.
 */
public final class GuestAddressLearner {
  private static final int ETHERTYPE_OFFSET = 12;
  private static final int VLAN_TAG_BYTES = 4;
  private static final int ETHERTYPE_VLAN = 0x8100;
  private static final int ETHERTYPE_IPV4 = 0x0800;
  private static final int ETHERTYPE_ARP = 0x0806;

  private final byte[] mac;
  private final Consumer<Inet4Address> onNewAddress;
  private volatile Inet4Address address;

  /**
   * @param onNewAddress told each time the learned address changes (e.g. to pass it to the peer)
   */
  public GuestAddressLearner(MacAddress mac, Consumer<Inet4Address> onNewAddress) {
    this.mac = mac.bytes();
    this.onNewAddress = onNewAddress;
  }

  /** The address learned so far. */
  public Optional<Inet4Address> address() {
    return Optional.ofNullable(address);
  }

  /** The address as the peer reported it (it saw the guest's traffic before this node did). */
  public void adopt(Inet4Address reported) {
    if (usable(reported.getAddress())) {
      address = reported;
    }
  }

  /** One frame the guest sent (or a LAN frame that may be the guest's); never throws. */
  public void observe(byte[] frame, int length) {
    if (length < 14 || !Arrays.equals(frame, 6, 12, mac, 0, 6)) {
      return;
    }
    int typeAt = ETHERTYPE_OFFSET;
    int type = u16(frame, typeAt);
    if (type == ETHERTYPE_VLAN && length >= typeAt + VLAN_TAG_BYTES + 2) {
      typeAt += VLAN_TAG_BYTES;
      type = u16(frame, typeAt);
    }
    int payload = typeAt + 2;
    byte[] ip = null;
    if (type == ETHERTYPE_ARP && length >= payload + 28) {
      // htype 1, ptype IPv4, hlen 6, plen 4; sender protocol address at 14 in the ARP packet
      if (u16(frame, payload) == 1 && u16(frame, payload + 2) == ETHERTYPE_IPV4) {
        ip = Arrays.copyOfRange(frame, payload + 14, payload + 18);
      }
    } else if (type == ETHERTYPE_IPV4 && length >= payload + 20 && (frame[payload] >> 4) == 4) {
      ip = Arrays.copyOfRange(frame, payload + 12, payload + 16);
    }
    if (ip == null || !usable(ip)) {
      return;
    }
    Inet4Address current = address;
    if (current != null && Arrays.equals(current.getAddress(), ip)) {
      return;
    }
    try {
      Inet4Address learned = (Inet4Address) InetAddress.getByAddress(ip);
      address = learned;
      onNewAddress.accept(learned);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }

  /** An address a host can own: not 0.0.0.0, broadcast, multicast or loopback. */
  private static boolean usable(byte[] ip) {
    int first = ip[0] & 0xff;
    boolean unspecified = (ip[0] | ip[1] | ip[2] | ip[3]) == 0;
    boolean broadcast = (ip[0] & ip[1] & ip[2] & ip[3]) == (byte) 0xff;
    return !unspecified && !broadcast && first < 224 && first != 127;
  }

  private static int u16(byte[] frame, int offset) {
    return ((frame[offset] & 0xff) << 8) | (frame[offset + 1] & 0xff);
  }

  /** An IPv4 address as a control message's position carries it (unsigned 32 bits). */
  public static long wireValue(Inet4Address address) {
    byte[] b = address.getAddress();
    return ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
  }

  /** The inverse of {@link #wireValue}. */
  public static Inet4Address fromWire(long value) {
    byte[] b = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    try {
      return (Inet4Address) InetAddress.getByAddress(b);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("4 bytes are always an IPv4 address", e);
    }
  }
}
