package io.ftvm.supervisor.hypervisor;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class VmLaunchSpecTest {
  private static VmLaunchSpec.Builder valid() {
    return VmLaunchSpec.builder()
        .kernel(Path.of("/k"))
        .initrd(Path.of("/i"))
        .disk(Path.of("/d"))
        .runDirectory(Path.of("/run"));
  }

  @Test
  void rejectsAMalformedMac() {
    assertThatThrownBy(() -> valid().mac("52:54:00:12:34").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'52:54:00:12:34'")
        .hasMessageContaining("six colon-separated hex pairs");
  }

  @Test
  void rejectsAMulticastMac() {
    assertThatThrownBy(() -> valid().mac("53:54:00:12:34:56").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("multicast");
  }

  @Test
  void rejectsANameThatWouldEscapeItsDirectory() {
    assertThatThrownBy(() -> valid().name("../etc").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'../etc'");
  }

  @Test
  void rejectsTooLittleMemory() {
    assertThatThrownBy(() -> valid().memoryMib(8).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 16 MiB, got 8");
  }

  @Test
  void requiresAKernel() {
    assertThatThrownBy(() -> valid().kernel(null).build())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("kernel");
  }

  @Test
  void rejectsContradictoryReplaySettings() {
    assertThatThrownBy(() -> new ReplaySpec(ReplayMode.RECORD, Path.of("/l"), true, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not to record");
    assertThatThrownBy(() -> new ReplaySpec(ReplayMode.REPLAY, null, false, false))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("rrfile is required for replay mode REPLAY");
    assertThatThrownBy(() -> new ReplaySpec(ReplayMode.NONE, Path.of("/l"), false, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NONE takes no rrfile");
    assertThatThrownBy(() -> new ReplaySpec(ReplayMode.PROTECTABLE, Path.of("/l"), false, false))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PROTECTABLE takes no rrfile");
    assertThatThrownBy(() -> new ReplaySpec(ReplayMode.CLONE_TARGET, null, true, true))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CLONE_TARGET takes no rrfile");
  }
}
