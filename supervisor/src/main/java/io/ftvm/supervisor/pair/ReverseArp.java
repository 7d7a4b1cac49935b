package io.ftvm.supervisor.pair;

import java.nio.ByteBuffer;

/**
 * The frame a new primary sends, as VMware FT does, to move the VM's MAC to this host on every
 * switch of the LAN without knowing the guest's IP: a RARP request (EtherType 0x8035, RFC 903)
 * broadcast from the VM's MAC. Switches learn the source MAC from it; nobody needs to answer.
 */
public final class ReverseArp {
  static final short ETHERTYPE_RARP = (short) 0x8035;
  private static final short OPCODE_REQUEST_REVERSE = 3;

  private ReverseArp() {}

  public static byte[] announce(MacAddress mac) {
    ByteBuffer frame = ByteBuffer.allocate(60); // minimum Ethernet payload, zero padded
    frame.put(MacAddress.BROADCAST.bytes()).put(mac.bytes()).putShort(ETHERTYPE_RARP);
    frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4);
    frame.putShort(OPCODE_REQUEST_REVERSE);
    frame.put(mac.bytes()).put(new byte[4]); // sender: the VM's MAC, IP unknown
    frame.put(mac.bytes()).put(new byte[4]); // target: "what is my IP?"
    return frame.array();
  }
}
