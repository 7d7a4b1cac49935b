package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestAddressLearnerTest {
  private static final MacAddress VM = MacAddress.parse("52:54:00:12:34:56");
  private static final MacAddress OTHER = MacAddress.parse("52:54:00:99:99:99");

  private final List<String> told = new ArrayList<>();
  private final GuestAddressLearner learner =
      new GuestAddressLearner(VM, address -> told.add(address.getHostAddress()));

  private static Inet4Address ip(String text) throws Exception {
    return (Inet4Address) InetAddress.getByName(text);
  }

  private static byte[] arpRequest(MacAddress from, String senderIp, String targetIp)
      throws Exception {
    ByteBuffer frame = ByteBuffer.allocate(60);
    frame.put(MacAddress.BROADCAST.bytes()).put(from.bytes()).putShort((short) 0x0806);
    frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4);
    frame.putShort((short) 1).put(from.bytes()).put(ip(senderIp).getAddress());
    frame.put(new byte[6]).put(ip(targetIp).getAddress());
    return frame.array();
  }

  private static byte[] ipv4(MacAddress from, String source, boolean vlanTagged) throws Exception {
    ByteBuffer frame = ByteBuffer.allocate(64);
    frame.put(OTHER.bytes()).put(from.bytes());
    if (vlanTagged) {
      frame.putShort((short) 0x8100).putShort((short) 7);
    }
    frame.putShort((short) 0x0800);
    frame.put((byte) 0x45).put(new byte[11]).put(ip(source).getAddress());
    frame.put(ip("10.77.0.100").getAddress());
    return frame.array();
  }

  @Test
  void learnsFromTheGuestsArpAndTellsOnlyChanges() throws Exception {
    learner.observe(arpRequest(VM, "10.77.0.10", "10.77.0.100"), 60);
    learner.observe(arpRequest(VM, "10.77.0.10", "10.77.0.1"), 60);

    assertThat(learner.address()).contains(ip("10.77.0.10"));
    assertThat(told).containsExactly("10.77.0.10");
  }

  @Test
  void learnsFromTheGuestsIpv4TrafficAlsoVlanTaggedAndFollowsARenumbering() throws Exception {
    learner.observe(ipv4(VM, "192.168.5.20", false), 64);
    learner.observe(ipv4(VM, "192.168.5.21", true), 64);

    assertThat(learner.address()).contains(ip("192.168.5.21"));
    assertThat(told).containsExactly("192.168.5.20", "192.168.5.21");
  }

  @Test
  void ignoresOtherMacsProbesDhcpAndBroadcasts() throws Exception {
    learner.observe(arpRequest(OTHER, "10.77.0.100", "10.77.0.10"), 60);
    learner.observe(arpRequest(VM, "0.0.0.0", "10.77.0.10"), 60); // RFC 5227 probe
    learner.observe(ipv4(VM, "0.0.0.0", false), 64); // DHCP discover
    learner.observe(ipv4(VM, "255.255.255.255", false), 64);
    learner.observe(ipv4(VM, "224.0.0.251", false), 64);
    learner.observe(HexFormat.of().parseHex("ffffffffffff525400123456"), 12); // runt

    assertThat(learner.address()).isEmpty();
    assertThat(told).isEmpty();
  }

  @Test
  void takesTheAddressThePrimaryReportedOverTheWire() throws Exception {
    long wire = GuestAddressLearner.wireValue(ip("10.77.0.10"));
    assertThat(wire).isEqualTo(0x0a4d000aL);

    learner.adopt(GuestAddressLearner.fromWire(wire));

    assertThat(learner.address()).contains(ip("10.77.0.10"));
    assertThat(GuestAddressLearner.fromWire(GuestAddressLearner.wireValue(ip("200.1.2.3"))))
        .isEqualTo(ip("200.1.2.3"));
  }
}
