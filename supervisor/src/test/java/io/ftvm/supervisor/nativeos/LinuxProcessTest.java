package io.ftvm.supervisor.nativeos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LinuxProcessTest {
  @Test
  void parsesStateAndParentEvenWhenTheCommandNameContainsParentheses() {
    LinuxProcess.Status status =
        LinuxProcess.parseStat(4242, "4242 (qemu) (x) ) S 17 4242 4242 0 -1 4194560 ...");

    assertThat(status.state()).isEqualTo('S');
    assertThat(status.parentPid()).isEqualTo(17);
    assertThat(status.isZombie()).isFalse();
  }

  @Test
  void recognisesAZombie() {
    assertThat(LinuxProcess.parseStat(5, "5 (sleep) Z 1 5 5 0").isZombie()).isTrue();
  }

  @Test
  void rejectsGarbageNamingThePid() {
    assertThatThrownBy(() -> LinuxProcess.parseStat(7, "garbage"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/proc/7/stat");
  }

  @Test
  void seesThisJvmRunningWithItsRealParent() throws Exception {
    ProcessHandle self = ProcessHandle.current();

    LinuxProcess.Status status = LinuxProcess.status(self.pid()).orElseThrow();

    assertThat(status.parentPid()).isEqualTo(self.parent().orElseThrow().pid());
    assertThat(LinuxProcess.isRunning(self.pid())).isTrue();
  }
}
