package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.GoLiveClaim;
import io.ftvm.lock.GoLiveDecision;
import io.ftvm.lock.GoLiveRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GoLiveClaimantTest {

  /** Answers from a script: a recorded winner's node id, or null for "storage unavailable". */
  private static final class ScriptedArbiter implements GoLiveArbiter {
    private final Deque<String> winners = new ArrayDeque<>();
    private int calls;

    ScriptedArbiter answer(String winnerOrNullForUnavailable) {
      winners.add(winnerOrNullForUnavailable == null ? "" : winnerOrNullForUnavailable);
      return this;
    }

    @Override
    public GoLiveDecision tryGoLive(GoLiveClaim claim) throws StorageUnavailableException {
      calls++;
      String winner = winners.removeFirst();
      if (winner.isEmpty()) {
        throw new StorageUnavailableException("shared storage /nfs did not answer within 2s");
      }
      GoLiveClaim recorded =
          new GoLiveClaim(claim.vmId(), claim.epoch(), winner, "first", Instant.EPOCH);
      return GoLiveDecision.decide(claim, GoLiveRecord.of(recorded));
    }

    @Override
    public Optional<GoLiveRecord> winner(String vmId, long epoch) {
      return Optional.empty();
    }

    @Override
    public long highestEpoch(String vmId) {
      return NO_EPOCH;
    }

    @Override
    public void checkReachable() {}

    @Override
    public String describe() {
      return "scripted";
    }

    @Override
    public void close() {}
  }

  private static GoLiveClaimant claimant(GoLiveArbiter arbiter) {
    return new GoLiveClaimant(arbiter, "vm1", 3, "b", Duration.ofMillis(1));
  }

  @Test
  void winsWhenTheRecordIsOurs() {
    Optional<GoLiveClaimant.Outcome> outcome =
        claimant(new ScriptedArbiter().answer("b")).claim("primary lost");

    assertThat(outcome).contains(new GoLiveClaimant.Outcome(true, "b"));
  }

  @Test
  void losesToTheRecordedWinner() {
    Optional<GoLiveClaimant.Outcome> outcome =
        claimant(new ScriptedArbiter().answer("a")).claim("primary lost");

    assertThat(outcome).isPresent();
    assertThat(outcome.get().won()).isFalse();
    assertThat(outcome.get().winner()).contains("a");
  }

  @Test
  void unreachableStorageIsNeverAWinItKeepsAsking() {
    ScriptedArbiter arbiter = new ScriptedArbiter().answer(null).answer(null).answer("b");

    Optional<GoLiveClaimant.Outcome> outcome = claimant(arbiter).claim("primary lost");

    assertThat(arbiter.calls).isEqualTo(3);
    assertThat(outcome).contains(new GoLiveClaimant.Outcome(true, "b"));
  }

  @Test
  void anInterruptWhileStorageIsDownGivesNoDecision() {
    ScriptedArbiter arbiter = new ScriptedArbiter().answer(null).answer("b");
    Thread.currentThread().interrupt();
    try {
      assertThat(claimant(arbiter).claim("primary lost")).isEmpty();
    } finally {
      Thread.interrupted();
    }
  }
}
