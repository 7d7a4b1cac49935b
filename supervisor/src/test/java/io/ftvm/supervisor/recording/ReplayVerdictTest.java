package io.ftvm.supervisor.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.replay.ConsoleDiff;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReplayVerdictTest {
  private static final String DISK = "d".repeat(64);

  private static ReplayVerdict verdict(
      Optional<String> problem,
      Optional<ConsoleDiff.Divergence> divergence,
      Optional<String> disk) {
    return new ReplayVerdict(
        problem.isEmpty(), problem, divergence, DISK, disk, 1000, 1000, Duration.ofMillis(12_345));
  }

  @Test
  void identicalWhenFinishedWithSameConsoleAndDisk() {
    ReplayVerdict verdict = verdict(Optional.empty(), Optional.empty(), Optional.of(DISK));

    assertThat(verdict.identical()).isTrue();
    assertThat(verdict.describe())
        .startsWith("replay IDENTICAL to the recording in 12.3 s\n")
        .contains("console: identical\n")
        .contains("disk: identical (sha256 " + DISK + ")\n");
  }

  @Test
  void printsTheFirstConsoleDivergenceWithLineNumberExpectedAndActual() {
    ReplayVerdict verdict =
        verdict(
            Optional.empty(),
            Optional.of(new ConsoleDiff.Divergence(17, "FTVM cpu rounds=3", "FTVM cpu rounds=4")),
            Optional.of(DISK));

    assertThat(verdict.identical()).isFalse();
    assertThat(verdict.describe())
        .startsWith("replay DIVERGED")
        .contains(
            "console output diverges at line 17:\n"
                + "  expected: \"FTVM cpu rounds=3\"\n"
                + "  actual:   \"FTVM cpu rounds=4\"");
  }

  @Test
  void printsBothDiskDigestsWhenTheyDiffer() {
    ReplayVerdict verdict =
        verdict(Optional.empty(), Optional.empty(), Optional.of("e".repeat(64)));

    assertThat(verdict.identical()).isFalse();
    assertThat(verdict.describe())
        .contains(
            "disk: differs\n  expected sha256: " + DISK + "\n  actual sha256:   " + "e".repeat(64));
  }

  @Test
  void anUnfinishedReplayIsNeverIdenticalAndSaysWhy() {
    ReplayVerdict verdict =
        verdict(
            Optional.of("replay stalled: no progress for 90 s"),
            Optional.empty(),
            Optional.empty());

    assertThat(verdict.identical()).isFalse();
    assertThat(verdict.describe())
        .contains("replay did not finish: replay stalled: no progress for 90 s\n")
        .contains("disk: not compared (replay did not finish)");
  }
}
