package io.ftvm.supervisor.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopologySpecTest {
  private static final TopologySpec DEFAULTS = TopologySpec.defaults("abc123");

  @Test
  void namesEveryNamespaceAfterThePairId() {
    assertThat(DEFAULTS.namespaces())
        .containsExactly("ftvm-abc123-a", "ftvm-abc123-b", "ftvm-abc123-c", "ftvm-abc123-lan");
    assertThat(DEFAULTS.namespaces())
        .allMatch(name -> TopologySpec.NAMESPACE_PATTERN.matcher(name).matches());
    assertThat(DEFAULTS.markerFile().toString()).isEqualTo("/run/ftvm/topology-abc123.pid");
  }

  @Test
  void aSpareHostAddsItsNamespaceAndAddressesOnBothNetworks() {
    TopologySpec spare = DEFAULTS.withSpare();

    assertThat(spare.hasSpare()).isTrue();
    assertThat(DEFAULTS.hasSpare()).isFalse();
    assertThat(spare.namespaces())
        .containsExactly(
            "ftvm-abc123-a", "ftvm-abc123-b", "ftvm-abc123-c", "ftvm-abc123-lan", "ftvm-abc123-s")
        .allMatch(name -> TopologySpec.NAMESPACE_PATTERN.matcher(name).matches());
    assertThat(spare.lanNamespace()).isEqualTo("ftvm-abc123-lan");
    assertThat(spare.lanAddress(HostRole.SPARE).cidr()).isEqualTo("10.77.0.3/24");
    assertThat(spare.loggingAddress(HostRole.SPARE).cidr()).isEqualTo("10.78.0.3/29");
    assertThat(spare.loggingAddress(HostRole.A).cidr()).isEqualTo("10.78.0.1/29");
    assertThat(TopologySpec.namespacesOf("abc123")).contains("ftvm-abc123-s");
    assertThatThrownBy(() -> DEFAULTS.lanAddress(HostRole.SPARE))
        .hasMessageContaining("has no spare host");
  }

  @Test
  void doesNotClaimNamespacesOfOtherFtvmTests() {
    assertThat(TopologySpec.NAMESPACE_PATTERN.matcher("ftvm-test-1a2b3c4d").matches()).isFalse();
  }

  @Test
  void randomPairIdsAreValid() {
    assertThat(TopologySpec.defaults(TopologySpec.randomPairId()).pairId()).hasSize(6);
  }

  @Test
  void rejectsAPairIdThatWouldNotMakeAPlainNamespaceName() {
    assertThatThrownBy(() -> TopologySpec.defaults("Bad/Id"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'Bad/Id'")
        .hasMessageContaining("1 to 12 lowercase letters or digits");
    assertThatThrownBy(() -> TopologySpec.defaults("a234567890123"))
        .hasMessageContaining("1 to 12");
  }

  @Test
  void rejectsAClientOutsideTheLan() {
    assertThatThrownBy(() -> withClient("10.99.0.100/24"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("LAN address of client (10.99.0.100/24)")
        .hasMessageContaining("not in the same network as 10.77.0.1/24");
  }

  @Test
  void rejectsDuplicateLanAddresses() {
    assertThatThrownBy(() -> withClient("10.77.0.2/24"))
        .hasMessageContaining("LAN addresses must be distinct");
  }

  @Test
  void rejectsTheBroadcastAddress() {
    assertThatThrownBy(() -> withClient("10.77.0.255/24"))
        .hasMessageContaining("10.77.0.255/24) is the network or broadcast address");
  }

  @Test
  void rejectsALoggingLinkInsideTheLan() {
    assertThatThrownBy(
            () ->
                new TopologySpec(
                    "abc123",
                    DEFAULTS.hostA(),
                    DEFAULTS.hostB(),
                    DEFAULTS.client(),
                    DEFAULTS.guest(),
                    DEFAULTS.guestMac(),
                    Ipv4Interface.parse("10.77.0.201/30"),
                    Ipv4Interface.parse("10.77.0.202/30"),
                    DEFAULTS.markerDirectory()))
        .hasMessageContaining("logging link 10.77.0.201/30 overlaps the LAN 10.77.0.1/24");
  }

  @Test
  void rejectsAMulticastGuestMac() {
    assertThatThrownBy(() -> withGuestMac("01:00:5e:00:00:01"))
        .hasMessageContaining("guest MAC 01:00:5e:00:00:01 is a multicast address");
    assertThatThrownBy(() -> withGuestMac("52:54:00:77:00"))
        .hasMessageContaining("'52:54:00:77:00' is not six colon-separated hex octets");
  }

  @Test
  void parsesAndRejectsCidrs() {
    assertThat(Ipv4Interface.parse(" 10.78.0.2/30 ").cidr()).isEqualTo("10.78.0.2/30");
    assertThatThrownBy(() -> Ipv4Interface.parse("10.77.0.1"))
        .hasMessageContaining("'10.77.0.1' is not an IPv4 address with prefix length");
    assertThatThrownBy(() -> Ipv4Interface.parse("10.77.0.300/24"))
        .hasMessageContaining("octet 300 of '10.77.0.300' is outside 0..255");
    assertThatThrownBy(() -> Ipv4Interface.parse("10.77.0.1/31"))
        .hasMessageContaining("prefix length 31 of 10.77.0.1 is outside 1..30");
  }

  @Test
  void rejectsTheClientOnTheLoggingLink() {
    assertThatThrownBy(() -> DEFAULTS.loggingAddress(HostRole.CLIENT))
        .hasMessageContaining("the client is not on the logging link");
  }

  private static TopologySpec withClient(String client) {
    return new TopologySpec(
        "abc123",
        DEFAULTS.hostA(),
        DEFAULTS.hostB(),
        Ipv4Interface.parse(client),
        DEFAULTS.guest(),
        DEFAULTS.guestMac(),
        DEFAULTS.loggingA(),
        DEFAULTS.loggingB(),
        DEFAULTS.markerDirectory());
  }

  private static TopologySpec withGuestMac(String mac) {
    return new TopologySpec(
        "abc123",
        DEFAULTS.hostA(),
        DEFAULTS.hostB(),
        DEFAULTS.client(),
        DEFAULTS.guest(),
        mac,
        DEFAULTS.loggingA(),
        DEFAULTS.loggingB(),
        DEFAULTS.markerDirectory());
  }
}
