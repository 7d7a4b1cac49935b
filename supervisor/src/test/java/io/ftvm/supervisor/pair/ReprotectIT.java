package io.ftvm.supervisor.pair;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Issue 8 item 5 on the real test VM ({@link ReprotectScenario}): kill host A → B live → A's daemon
 * restarts (joins empty, is cloned while the guest runs workload "all", disk writes included) →
 * protected again at epoch 2 → kill host B → A live.
 */
// Opt-in (-Dftvm.it.reprotect=true): with qemu-patches 0013 it passed 2 of 2, but the fault
// campaign's re-protecting pair saw the first clone of a VM that had just gone live from replay
// stall its new backup in 2 of about 7 such clones (docs/reliability.md), and that is exactly
// this test's clone. It joins CI once that is found.
@EnabledIfSystemProperty(named = "ftvm.it.reprotect", matches = "true")
class ReprotectIT {
  private static final Duration DETECTION_TIMEOUT =
      Duration.ofMillis(PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS);

  @Test
  void aSurvivorIsProtectedAgainAtANewEpochAndSurvivesTheNextFailure() throws Exception {
    Path work = Files.createTempDirectory("ftvm-it-reprotect-");
    try (PairHarness harness = PairHarness.start(work, "all", DETECTION_TIMEOUT)) {
      ReprotectScenario.run(
          harness, LocalPair.PRIMARY, () -> harness.rejoin(LocalPair.PRIMARY), "reprotect.json");
    }
    ReprotectScenario.removeWork(work);
  }
}
