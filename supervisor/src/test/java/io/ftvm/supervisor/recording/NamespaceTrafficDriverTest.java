package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NamespaceTrafficDriverTest {
  @Test
  void outsideWorldTakesTheNetworksFirstAddress() {
    assertThat(NamespaceTrafficDriver.outsideAddress("10.77.0.10", 24)).isEqualTo("10.77.0.1/24");
    assertThat(NamespaceTrafficDriver.outsideAddress("192.168.13.200", 20))
        .isEqualTo("192.168.0.1/20");
  }

  @Test
  void outsideWorldStepsAsideWhenTheGuestHasTheFirstAddress() {
    assertThat(NamespaceTrafficDriver.outsideAddress("10.77.0.1", 24)).isEqualTo("10.77.0.2/24");
  }

  @Test
  void rejectsANetworkWithoutRoomForTwoHosts() {
    assertThatThrownBy(() -> NamespaceTrafficDriver.outsideAddress("10.0.0.1", 31))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10.0.0.1/31");
  }
}
