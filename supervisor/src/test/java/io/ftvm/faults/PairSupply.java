package io.ftvm.faults;

import io.ftvm.faults.RoundObservation.Reprotection;
import io.ftvm.supervisor.pair.PairHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where a round's protected pair comes from: a new pair per round ({@link FreshPairPerRound}), or
 * one long-lived pair re-protected between rounds ({@link ReprotectingPair}).
 */
interface PairSupply extends AutoCloseable {
  /** A protected pair for the round whose files go to {@code roundDirectory}. */
  PairHarness pairFor(Path roundDirectory) throws Exception;

  /**
   * The transcript of the client holding one TCP connection to the guest's counter stream: a new
   * client per pair, so a long-lived pair's connection spans rounds.
   */
  Path counterTranscript(PairHarness harness) throws IOException;

  /**
   * The round is over; a fresh-per-round supply removes the pair (and returns null), a long-lived
   * one re-protects it and returns what that took (null if the pair stayed protected).
   */
  Reprotection roundOver(PairHarness harness);

  /** Whether {@link #roundOver} removed everything, so the round can be checked for leaks. */
  boolean removesPairAfterRound();

  /** The campaign is over: whatever pair is still up is removed. */
  @Override
  default void close() {}

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
    public Path counterTranscript(PairHarness harness) throws IOException {
      return harness.startCounterClient(java.time.Duration.ofMinutes(15));
    }

    @Override
    public Reprotection roundOver(PairHarness harness) {
      harness.close();
      return null;
    }

    @Override
    public boolean removesPairAfterRound() {
      return true;
    }
  }
}
