package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GoLiveClaimTest {
  private static GoLiveClaim claimFor(String vmId) {
    return new GoLiveClaim(vmId, 0, "host-a", "test", Instant.EPOCH);
  }

  @ParameterizedTest
  @ValueSource(strings = {"web-1", "db.prod_2", "A", "9lives"})
  void acceptsSafeNames(String vmId) {
    assertThatCode(() -> claimFor(vmId)).doesNotThrowAnyException();
  }

  @Test
  void pathTraversalIsRejectedWithOffset() {
    assertThatThrownBy(() -> claimFor("../etc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vmId '../etc'")
        .hasMessageContaining("'.' at offset 0");
  }

  @Test
  void slashInsideNameIsRejectedWithOffset() {
    assertThatThrownBy(() -> claimFor("web/1"))
        .hasMessageContaining("unsafe character '/' at offset 3");
  }

  @Test
  void controlCharacterIsShownEscaped() {
    assertThatThrownBy(() -> claimFor("web\n1"))
        .hasMessageContaining("web\\u000a1")
        .hasMessageContaining("U+000A at offset 3");
  }

  @Test
  void emptyAndNullAndOverlongAreRejected() {
    assertThatThrownBy(() -> claimFor("")).hasMessage("vmId must not be empty");
    assertThatThrownBy(() -> claimFor(null)).hasMessage("vmId must not be null");
    assertThatThrownBy(() -> claimFor("v".repeat(129)))
        .hasMessageContaining("is 129 characters long; the limit is 128");
  }

  @Test
  void nodeIdAndEpochAreValidatedToo() {
    assertThatThrownBy(() -> new GoLiveClaim("vm", 0, "host a", "r", Instant.EPOCH))
        .hasMessageContaining("nodeId 'host a'")
        .hasMessageContaining("' ' at offset 4");
    assertThatThrownBy(() -> new GoLiveClaim("vm", -1, "host-a", "r", Instant.EPOCH))
        .hasMessage("epoch must be >= 0 but was -1");
  }
}
