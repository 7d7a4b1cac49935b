package io.ftvm.fencing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class FenceRequestTest {
  @Test
  void blankIdsAndNegativeEpochAreRejected() {
    assertThatThrownBy(() -> new FenceRequest(" ", 1, "a", "", "r"))
        .hasMessage("vmId must not be null or blank");
    assertThatThrownBy(() -> new FenceRequest("vm", 1, null, "", "r"))
        .hasMessage("nodeId must not be null or blank");
    assertThatThrownBy(() -> new FenceRequest("vm", -2, "a", "", "r"))
        .hasMessage("epoch must be >= 0 but was -2");
  }

  @Test
  void initAndKernelThreadsAreNeverTargets() {
    assertThatThrownBy(() -> new ProcessIdentity(1, OptionalLong.empty()))
        .hasMessage("refusing to fence pid 1: not a VM process");
    assertThatThrownBy(() -> new ProcessIdentity(0, OptionalLong.empty()))
        .hasMessageContaining("pid 0");
  }

  @Test
  void misconfiguredFencersAreRejected() {
    assertThatThrownBy(() -> new ExternalCommandFencer("stonith", List.of(), Duration.ofSeconds(1)))
        .hasMessage("fencing command for 'stonith' is empty");
    assertThatThrownBy(() -> new ExternalCommandFencer("stonith", List.of("true"), Duration.ZERO))
        .hasMessageContaining("must be > 0 but was PT0S");
    assertThatThrownBy(
            () ->
                new ProcessKillFencer(
                    new ProcessIdentity(99999, OptionalLong.empty()), Duration.ZERO))
        .hasMessageContaining("kill bound must be > 0");
  }
}
