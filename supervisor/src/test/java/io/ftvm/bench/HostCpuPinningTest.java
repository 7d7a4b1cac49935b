package io.ftvm.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostCpuPinningTest {

  @Test
  void acceptsTasksetCpuListsAndNamesHostsInOrder() {
    HostCpuPinning pinning = new HostCpuPinning(List.of("0", "1-3,6"));

    assertThat(pinning.isEnabled()).isTrue();
    assertThat(pinning.describe()).isEqualTo("a=cpu 0, b=cpu 1-3,6");
  }

  @Test
  void noListsMeansNothingIsBound() {
    HostCpuPinning pinning = new HostCpuPinning(List.of());

    assertThat(pinning.isEnabled()).isFalse();
    assertThat(pinning.describe()).isEmpty();
  }

  @Test
  void rejectsWhatTasksetWouldNotTake() {
    assertThatThrownBy(() -> new HostCpuPinning(List.of("0", "cpu1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'cpu1'");
  }

  @Test
  void aHostWithoutCpusIsAnErrorNotSilentlyUnbound() {
    HostCpuPinning pinning = new HostCpuPinning(List.of("0"));

    assertThatThrownBy(() -> pinning.apply(Map.of("a", List.of(), "b", List.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no CPUs");
  }
}
