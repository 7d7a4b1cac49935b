package io.ftvm.fencing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatTest {
  private static final String TAIL =
      " S 1 4242 4242 0 -1 4194560 1000 0 0 0 10 5 0 0 20 0 3 0 987654 1000000 500";

  @Test
  void commandWithSpacesAndParenthesesDoesNotShiftFields() {
    ProcStat stat = ProcStat.parse(4242, "4242 (qemu (x86) ) z)" + TAIL);

    assertThat(stat.state()).isEqualTo('S');
    assertThat(stat.startTicks()).isEqualTo(987654);
    assertThat(stat.hasExited()).isFalse();
  }

  @Test
  void zombieCountsAsExited() {
    ProcStat stat = ProcStat.parse(4242, "4242 (sleep)" + TAIL.replace(" S ", " Z "));

    assertThat(stat.hasExited()).isTrue();
    assertThat(stat.describeState()).isEqualTo("Z (zombie)");
  }

  @Test
  void truncatedLineIsRejectedWithFieldCount() {
    assertThatThrownBy(() -> ProcStat.parse(7, "7 (sleep) S 1 2 3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/proc/7/stat")
        .hasMessageContaining("6 fields, need at least 22");
  }

  @Test
  void lineWithoutCommandIsRejected() {
    assertThatThrownBy(() -> ProcStat.parse(7, "garbage"))
        .hasMessageContaining("no ')' closing the command");
  }
}
