package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class GratuitousArpTest {
  @Test
  void announcesTheGuestsMacForItsOwnIp() throws Exception {
    byte[] frame =
        GratuitousArp.announce(
            MacAddress.parse("52:54:00:77:00:10"),
            (Inet4Address) InetAddress.getByName("10.77.0.10"));

    String hex = HexFormat.of().formatHex(frame);
    assertThat(frame).hasSize(60);
    assertThat(hex)
        .startsWith(
            "ffffffffffff"
                + "525400770010"
                + "0806" // broadcast from the guest's MAC, ARP
                + "0001"
                + "0800"
                + "06"
                + "04"
                + "0001" // Ethernet/IPv4 request
                + "525400770010"
                + "0a4d000a" // sender: guest MAC and IP
                + "000000000000"
                + "0a4d000a"); // target IP = own IP (gratuitous)
  }

  @Test
  void rejectsAMalformedMac() {
    assertThatThrownBy(() -> MacAddress.parse("52:54:00:77:00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a MAC address");
  }
}
