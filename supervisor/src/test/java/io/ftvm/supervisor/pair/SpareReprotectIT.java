package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 8's spare node on the real test VM ({@link ReprotectScenario}): a pair a/b whose config
 * names spare s on a third host. Kill host A → B live → A stays dead; the spare's daemon starts (as
 * its admin would, no --join: a spare always starts empty) → B protected by s at epoch 2 → kill
 * host B → s live, with the client's one TCP connection intact throughout.
 */
// Not opt-in: with qemu-patches 0014 it passed 4 of 4 runs in a row (and 2 of 2 before the
// joiner's role was awaited; one run before that failed only on reading that role 90 ms early).
// It makes the same clone as ReprotectIT (a VM that just went live from replay): if that clone
// stalls again (docs/reliability.md), put both behind an opt-in property until it is found.
class SpareReprotectIT {
  private static final Duration DETECTION_TIMEOUT =
      Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS);

  @Test
  void aSpareProtectsTheSurvivorWhenTheFailedHostStaysDeadAndTakesOverNext() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-spare-");
    try (PairHarness harness = PairHarness.startWithSpare(work, "all", DETECTION_TIMEOUT)) {
      assertThat(harness.pair().config().spares()).containsOnlyKeys(LocalPair.SPARE);

      ReprotectScenario.run(harness, LocalPair.SPARE, harness::startSpare, "spare-reprotect.json");

      assertThat(harness.pair().roleOf(LocalPair.PRIMARY))
          .as("host A stayed dead: its last role is the one it had when killed")
          .hasValue(NodeRole.PRIMARY_PROTECTED);
    }
    ReprotectScenario.removeWork(work);
  }
}
