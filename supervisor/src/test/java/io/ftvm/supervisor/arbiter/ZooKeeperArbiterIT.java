package io.ftvm.supervisor.arbiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ftvm.supervisor.arbiter.ClaimantProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ZooKeeper go-live arbiter against a real 3-member ensemble (Debian's zookeeper package),
 * members and claimants each in a network namespace of their own. Boots no VM.
 */
class ZooKeeperArbiterIT {
  private static final Duration OP_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration ANSWER = OP_TIMEOUT.plusSeconds(10);
  private static final String VM = "vm-zk";
  private static final Logger log = LoggerFactory.getLogger(ZooKeeperArbiterIT.class);

  private Path work;
  private ZooKeeperCluster cluster;
  private ClaimantProcess c1;
  private ClaimantProcess c2;

  @BeforeEach
  void startEnsemble(TestInfo test) throws IOException {
    assumeTrue(ZooKeeperCluster.available(), "Debian's zookeeper package is not installed");
    work =
        Files.createDirectories(
                Path.of("target", "zk-it", test.getTestMethod().orElseThrow().getName()))
            .toAbsolutePath();
    cluster = ZooKeeperCluster.start(work, 3);
    c1 = claimant("c1");
    c2 = claimant("c2");
  }

  @AfterEach
  void stopEverything() {
    for (AutoCloseable closeable : new AutoCloseable[] {c1, c2, cluster}) {
      if (closeable != null) {
        try {
          closeable.close();
        } catch (Exception e) {
          log.warn("cleanup failed: {}", e.toString());
        }
      }
    }
  }

  private ClaimantProcess claimant(String label) throws IOException {
    return ClaimantProcess.start(
        cluster.addClient(label),
        "zk",
        cluster.connectString(),
        label,
        OP_TIMEOUT,
        work.resolve(label + ".log"));
  }

  /** Both claim (vm, epoch) at once; both answers. */
  private List<Result> race(long epoch) throws IOException {
    c1.sendClaim(VM, epoch);
    c2.sendClaim(VM, epoch);
    return List.of(c1.awaitResult(ANSWER), c2.awaitResult(ANSWER));
  }

  /**
   * Races until both have a definite answer, retrying while either is unavailable (its member may
   * be down); across all attempts exactly one node ever gets WON.
   */
  private String decidedRace(long epoch, Duration within) throws IOException {
    Instant deadline = Instant.now().plus(within);
    java.util.Set<String> everWon = new java.util.HashSet<>();
    List<Result> results = race(epoch);
    results.stream().filter(Result::won).forEach(r -> everWon.add(r.winner()));
    while (results.stream().anyMatch(Result::unavailable)) {
      assertThat(Instant.now())
          .as("epoch " + epoch + " decided within " + within)
          .isBefore(deadline);
      results = race(epoch);
      results.stream().filter(Result::won).forEach(r -> everWon.add(r.winner()));
    }
    assertThat(everWon).as("nodes that ever won epoch " + epoch).hasSize(1);
    return assertExactlyOneWinner(epoch, results);
  }

  private static String assertExactlyOneWinner(long epoch, List<Result> results) {
    assertThat(results).as("epoch " + epoch).allMatch(r -> r.won() || r.lost());
    assertThat(results.stream().filter(Result::won)).as("winners of epoch " + epoch).hasSize(1);
    String winner = results.stream().filter(Result::won).findFirst().orElseThrow().winner();
    assertThat(results).as("everyone names the winner").allMatch(r -> r.winner().equals(winner));
    return winner;
  }

  @Test
  void twoClaimantsInDifferentNamespacesGetExactlyOneWinnerPerEpoch() throws IOException {
    int rounds = 60;
    List<String> winners = new ArrayList<>();
    for (long epoch = 0; epoch < rounds; epoch++) {
      List<Result> results = race(epoch);
      winners.add(assertExactlyOneWinner(epoch, results));
    }
    log.info(
        "{} rounds: c1 won {}, c2 won {}",
        rounds,
        winners.stream().filter("c1"::equals).count(),
        winners.stream().filter("c2"::equals).count());
    // The record outlives the race: asking again gives the same winner.
    assertThat(c2.winner(VM, 7, ANSWER)).isEqualTo(winners.get(7));
    java.util.Map<Long, String> records = c1.records(VM, ANSWER).orElseThrow();
    assertThat(records).hasSize(rounds).containsEntry(59L, winners.get(59));
    assertThat(c1.records("other-vm", ANSWER)).contains(java.util.Map.of());
  }

  @Test
  void claimsKeepBeingDecidedWhenAFollowerDies() throws IOException {
    decidedRace(0, Duration.ofSeconds(30));
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));
    int follower = leader == 1 ? 2 : 1;

    cluster.kill(follower);

    for (long epoch = 1; epoch <= 10; epoch++) {
      decidedRace(epoch, Duration.ofSeconds(30));
    }
  }

  @Test
  void claimsAreDecidedAgainAfterTheLeaderDiesAndEarlierRecordsSurvive() throws IOException {
    String before = decidedRace(0, Duration.ofSeconds(30));
    int leader = cluster.awaitLeader(Duration.ofSeconds(30));

    cluster.kill(leader);
    Instant killed = Instant.now();
    String after = decidedRace(1, Duration.ofSeconds(60));
    log.info(
        "leader {} killed; next claim decided after {} ms (won by {})",
        leader,
        Duration.between(killed, Instant.now()).toMillis(),
        after);

    assertThat(cluster.awaitLeader(Duration.ofSeconds(30))).isNotEqualTo(leader);
    assertThat(c1.winner(VM, 0, ANSWER)).isEqualTo(before);
    for (long epoch = 2; epoch <= 6; epoch++) {
      decidedRace(epoch, Duration.ofSeconds(30));
    }
  }

  @Test
  void aClaimantPartitionedIntoTheMinorityNeverWins() throws IOException {
    decidedRace(0, Duration.ofSeconds(30));
    // c1 and one member on one side, the other two members (a quorum) and c2 on the other.
    cluster.partition(List.of("c1", ZooKeeperCluster.memberPort(1)));

    Instant until = Instant.now().plusSeconds(12);
    int attempts = 0;
    while (Instant.now().isBefore(until)) {
      Result minority = c1.claim(VM, 1, ANSWER);
      assertThat(minority.unavailable()).as("minority claim %d: %s", attempts, minority).isTrue();
      assertThat(minority.micros()).isLessThan(ANSWER.toNanos() / 1000);
      attempts++;
    }
    Result majority = c2.claim(VM, 1, ANSWER);
    while (majority.unavailable()) {
      majority = c2.claim(VM, 1, ANSWER); // c2 may have been on member 1 and must move
    }
    assertThat(majority.won()).isTrue();
    log.info("minority claimant answered UNAVAILABLE {} times, never WON", attempts);

    cluster.heal();
    Result late = c1.claim(VM, 1, Duration.ofSeconds(60));
    while (late.unavailable()) {
      late = c1.claim(VM, 1, ANSWER);
    }
    assertThat(late.lost()).isTrue();
    assertThat(late.winner()).isEqualTo("c2");
  }

  @Test
  void noWinnerWhileTheWholeEnsembleIsDownThenExactlyOne() throws IOException {
    decidedRace(0, Duration.ofSeconds(30));

    cluster.killAll();
    for (int round = 0; round < 3; round++) {
      List<Result> results = race(1);
      assertThat(results).as("round %d while down", round).allMatch(Result::unavailable);
    }
    for (int member = 1; member <= cluster.size(); member++) {
      cluster.restart(member);
    }

    String winner = decidedRace(1, Duration.ofSeconds(90));
    assertThat(Set.of("c1", "c2")).contains(winner);
    assertThat(c2.winner(VM, 0, ANSWER)).isNotEqualTo("-").isNotEqualTo("UNAVAILABLE");
  }
}
