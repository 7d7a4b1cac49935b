package io.ftvm.supervisor.pair;

import java.net.Inet4Address;
import java.nio.ByteBuffer;

/**
 * The frame a new primary sends so the LAN's switches learn that the VM's MAC now lives behind this
 * host (its IP stays the same, so clients' ARP caches are already right).
 */
public final class GratuitousArp {
  private GratuitousArp() {}

  public static byte[] announce(MacAddress mac, Inet4Address ip) {
    ByteBuffer frame = ByteBuffer.allocate(60); // minimum Ethernet payload, zero padded
    frame.put(MacAddress.BROADCAST.bytes()).put(mac.bytes()).putShort((short) 0x0806);
    frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4);
    frame.putShort((short) 1); // request: RFC 5227 announcements use requests
    frame.put(mac.bytes()).put(ip.getAddress());
    frame.put(new byte[6]).put(ip.getAddress());
    return frame.array();
  }
}
