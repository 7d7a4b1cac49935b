package io.ftvm.faults;

import io.ftvm.supervisor.pair.PairHarness;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a round's protected pair comes from. Today every round starts its own pair and removes it
 * afterwards ({@link FreshPairPerRound}); once a live node can be re-protected, a supply that keeps
 * one long-lived pair and re-protects it between rounds fits in here without changing the rounds.
 */
interface PairSupply {
  /** A protected pair for the round whose files go to {@code roundDirectory}. */
  PairHarness pairFor(Path roundDirectory) throws Exception;

  /** The round is over; a fresh-per-round supply removes the pair, a long-lived one re-protects. */
  void roundOver(PairHarness harness);

  /** Whether {@link #roundOver} removed everything, so the round can be checked for leaks. */
  boolean removesPairAfterRound();

  /** A new pair per round: {@link PairHarness#start}, {@link PairHarness#close}. */
  record FreshPairPerRound(
      String workload,
      Duration detectionTimeout,
      Path qemu,
      Path testVm,
      io.ftvm.supervisor.pair.ArbiterAttachment arbiter)
      implements PairSupply {
    FreshPairPerRound(String workload, Duration detectionTimeout, Path qemu, Path testVm) {
      this(
          workload,
          detectionTimeout,
          qemu,
          testVm,
          io.ftvm.supervisor.pair.ArbiterAttachment.sharedDirectory());
    }

    @Override
    public PairHarness pairFor(Path roundDirectory) throws Exception {
      return PairHarness.start(roundDirectory, workload, detectionTimeout, qemu, testVm, arbiter);
    }

    @Override
    public void roundOver(PairHarness harness) {
      harness.close();
    }

    @Override
    public boolean removesPairAfterRound() {
      return true;
    }
  }
}
