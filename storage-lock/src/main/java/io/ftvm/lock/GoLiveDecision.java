package io.ftvm.lock;

import java.util.Objects;

/** The answer to a {@link GoLiveClaim}: whether the asking node won, and who the winner is. */
public record GoLiveDecision(Outcome outcome, GoLiveClaim claim, GoLiveRecord winner) {

  public enum Outcome {
    WON,
    LOST
  }

  public GoLiveDecision {
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(claim, "claim");
    Objects.requireNonNull(winner, "winner");
  }

  public static GoLiveDecision decide(GoLiveClaim claim, GoLiveRecord recorded) {
    return new GoLiveDecision(
        recorded.isWonBy(claim.nodeId()) ? Outcome.WON : Outcome.LOST, claim, recorded);
  }

  public boolean won() {
    return outcome == Outcome.WON;
  }
}
