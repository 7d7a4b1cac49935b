package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ReverseArpTest {
  @Test
  void broadcastsARarpRequestFromTheVmsMacWithoutAnyIp() {
    byte[] frame = ReverseArp.announce(MacAddress.parse("52:54:00:12:34:56"));

    assertThat(frame).hasSize(60);
    assertThat(HexFormat.of().formatHex(frame))
        .isEqualTo(
            "ffffffffffff"
                + "525400123456"
                + "8035" // broadcast from the VM's MAC, RARP
                + "0001"
                + "0800"
                + "06"
                + "04"
                + "0003" // Ethernet/IPv4, request reverse
                + "525400123456"
                + "00000000" // sender: the VM's MAC, no IP
                + "525400123456"
                + "00000000" // target: the VM's MAC, its IP asked for
                + "00".repeat(18)); // padding to the minimum frame
  }
}
