package io.ftvm.supervisor.topology;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessIdentityTest {
  private static final String TAIL =
      " 1 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 987654 100000 200 18446744073709551615";

  @Test
  void readsTheStartTimeEvenIfTheCommandNameContainsParenthesesAndSpaces() {
    assertThat(ProcessIdentity.parseStartTime("42 (evil) S (name) S" + TAIL)).contains(987654L);
  }

  @Test
  void treatsZombiesAsGone() {
    assertThat(ProcessIdentity.parseStartTime("42 (sleep) Z" + TAIL)).isEmpty();
  }

  @Test
  void rejectsTruncatedStatLines() {
    assertThat(ProcessIdentity.parseStartTime("42 (sleep) S 1 1")).isEmpty();
  }

  @Test
  void knowsThisJvmIsAliveAndAReusedPidIsNot() {
    ProcessIdentity self = ProcessIdentity.current();
    assertThat(self.isAlive()).isTrue();
    assertThat(new ProcessIdentity(self.pid(), self.startTime() + 1).isAlive()).isFalse();
  }
}
