package io.ftvm.supervisor.follow;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backup QEMU follows a live recording primary through a FIFO for at least 30 s of the {@code
 * all} workload (disk, TCP services with real client traffic, heartbeats, random bytes) and prints
 * the same console, line for line, a bounded time later.
 */
class FollowReplayIT {
  private static final Duration BOOT = Duration.ofMinutes(3);
  private static final Duration FOLLOW_FOR = Duration.ofSeconds(30);

  /**
   * Once input stops, the backup must have replayed everything within this bound. The lag while
   * input flows is measured, not bounded here: this test feeds the backup with no flow control, so
   * a primary that runs faster than replay (qemu-patches 0006 made network input 6-9x faster under
   * record) builds a backlog; in a pair the backup's ack bound throttles the primary instead.
   */
  private static final Duration CATCH_UP = Duration.ofSeconds(30);

  private static final Duration STEADY_AFTER = Duration.ofSeconds(10);

  private FollowFixture fixture;
  private GuestLan primaryLan;
  private FollowingPair pair;

  @BeforeEach
  void start() throws Exception {
    fixture = FollowFixture.start("follow", false);
    primaryLan = fixture.primaryLan();
    pair = fixture.pair();
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void backupPrintsThePrimarysConsoleLineForLineWhileFollowing() throws Exception {
    ConsoleLines primary = pair.primary().console();
    ConsoleLines backup = pair.backup().console();
    int ready = primary.awaitLine("primary ready", l -> l.startsWith("FTVM ready "), 0, BOOT);
    long readyAt = primary.arrivalNanos(ready);
    long logAtReady = pair.pump().storedPosition();
    primary.awaitLine("services up", l -> l.startsWith("FTVM net listening"), 0, BOOT);

    GuestClient client = new GuestClient(primaryLan);
    long increments = 0;
    while (System.nanoTime() - readyAt < FOLLOW_FOR.toNanos()) {
      // Network input while following: it is recorded and must replay to the same console.
      assertThat(client.kv("INCR follow")).isEqualTo(Long.toString(++increments));
      assertThat(client.echo("line " + increments)).isEqualTo("line " + increments);
      int seen = primary.count();
      primary.awaitCount("next primary line", seen + 1, Duration.ofSeconds(30));
    }
    long followedNanos = System.nanoTime() - readyAt;
    long logBytes = pair.pump().storedPosition() - logAtReady;
    int compared = primary.count();
    long inputStopped = System.nanoTime();
    backup.awaitCount("backup catching up", compared, CATCH_UP);
    long catchUpNanos = System.nanoTime() - inputStopped;

    assertThat(backup.lines().subList(0, compared))
        .as("backup console (complete lines) against the primary's")
        .isEqualTo(primary.lines().subList(0, compared));
    List<String> followed = primary.lines().subList(ready, compared);
    assertThat(followed).anyMatch(l -> l.startsWith("FTVM disk blocks="));
    assertThat(followed).anyMatch(l -> l.startsWith("FTVM net accept service=kv"));
    assertThat(followed).anyMatch(l -> l.startsWith("FTVM random "));

    List<Long> lags = new ArrayList<>();
    List<Long> steadyLags = new ArrayList<>();
    for (int i = ready; i < compared; i++) {
      long lag = backup.arrivalNanos(i) - primary.arrivalNanos(i);
      lags.add(lag);
      // The backup starts behind (replaying the boot is slower); steady state is what a failover
      // sees.
      if (primary.arrivalNanos(i) - readyAt >= STEADY_AFTER.toNanos()) {
        steadyLags.add(lag);
      }
    }
    long maxLag = lags.stream().mapToLong(Long::longValue).max().orElseThrow();
    new Measurements("follow-replay")
        .put("workload", "all")
        .put("followedMillis", Measurements.millis(followedNanos))
        .put("linesCompared", compared)
        .put("linesAfterReady", lags.size())
        .put("kvAndEchoExchanges", increments)
        .put("logBytesPerSecondAfterReady", Math.round(logBytes / (followedNanos / 1e9)))
        .put("bootLagMillisAtReadyLine", Measurements.millis(backup.arrivalNanos(ready) - readyAt))
        .put("lagP50Millis", Measurements.millis(Measurements.percentile(lags, 0.50)))
        .put("lagP99Millis", Measurements.millis(Measurements.percentile(lags, 0.99)))
        .put("lagMaxMillis", Measurements.millis(maxLag))
        .put("steadyLinesAfterSeconds", STEADY_AFTER.toSeconds())
        .put("steadyLagP50Millis", Measurements.millis(Measurements.percentile(steadyLags, 0.50)))
        .put("steadyLagP99Millis", Measurements.millis(Measurements.percentile(steadyLags, 0.99)))
        .put("catchUpAfterInputStoppedMillis", Measurements.millis(catchUpNanos))
        .write();
    fixture.passed();
  }
}
