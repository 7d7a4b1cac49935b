package io.ftvm.faults;

import io.ftvm.faults.RoundObservation.Reprotection;
import io.ftvm.supervisor.pair.ArbiterAttachment;
import io.ftvm.supervisor.pair.LocalPair;
import io.ftvm.supervisor.pair.NodeRole;
import io.ftvm.supervisor.pair.NodeStatus;
import io.ftvm.supervisor.pair.PairHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived pair for the whole campaign (issue 8: "the campaign then runs many faults against
 * one long-lived pair"). After a round that left one node live alone, the other node's daemon is
 * restarted with {@code --join} (as {@code ftvm rejoin} / systemd would; it joins empty and is
 * cloned) and the survivor must be PRIMARY_PROTECTED within the replay bound at the next epoch
 * within {@link #bound}. If that fails, the round fails with the reason and the next round gets a
 * fresh pair. The client's one TCP connection lives as long as the pair.
 */
final class ReprotectingPair implements PairSupply {
  private static final Logger log = LoggerFactory.getLogger(ReprotectingPair.class);
  private static final Duration CLIENT_LIFETIME = Duration.ofHours(12);
  private static final Duration DAEMON_STOP = Duration.ofSeconds(10);

  /**
   * How long a re-protected pair must stay protected before the next fault: longer than the new
   * backup's replay-stall watchdog (5 s), so a clone whose replay does not follow shows up as this
   * round's failed re-protection, not as the next round's unprotected start.
   */
  private static final Duration SETTLE = Duration.ofSeconds(8);

  private final String workload;
  private final Duration detectionTimeout;
  private final Path qemu;
  private final Path testVm;
  private final ArbiterAttachment arbiter;
  private final Path workDirectory;
  private final Duration bound;
  private int pairsStarted;
  private PairHarness harness;
  private Path transcript;

  /**
   * @param workDirectory each pair's files go to {@code pair-<n>} in here
   * @param bound from the rejoin to protected within the replay bound at most this long
   */
  ReprotectingPair(
      String workload,
      Duration detectionTimeout,
      Path qemu,
      Path testVm,
      ArbiterAttachment arbiter,
      Path workDirectory,
      Duration bound) {
    this.workload = workload;
    this.detectionTimeout = detectionTimeout;
    this.qemu = qemu;
    this.testVm = testVm;
    this.arbiter = arbiter;
    this.workDirectory = workDirectory;
    this.bound = bound;
  }

  @Override
  public PairHarness pairFor(Path roundDirectory) throws Exception {
    if (harness == null) {
      pairsStarted++;
      Path pairDirectory =
          workDirectory.resolve(String.format(Locale.ROOT, "pair-%02d", pairsStarted));
      log.info("starting long-lived pair {} in {}", pairsStarted, pairDirectory);
      harness = PairHarness.start(pairDirectory, workload, detectionTimeout, qemu, testVm, arbiter);
      transcript = null;
    }
    return harness;
  }

  @Override
  public Path counterTranscript(PairHarness pair) throws IOException {
    if (transcript == null) {
      transcript = pair.startCounterClient(CLIENT_LIFETIME);
    }
    return transcript;
  }

  @Override
  public Reprotection roundOver(PairHarness pair) {
    Map<String, NodeRole> roles = new LinkedHashMap<>();
    Map<String, Boolean> alive = new LinkedHashMap<>();
    for (String node : List.of(LocalPair.PRIMARY, LocalPair.BACKUP)) {
      roles.put(node, pair.pair().roleOf(node).orElse(null));
      Process daemon = pair.pair().daemon(node);
      alive.put(node, daemon != null && daemon.isAlive());
    }
    ReprotectPlan plan = ReprotectPlan.decide(roles, alive);
    log.info("after the round: {} ({})", plan.action(), plan.reason());
    switch (plan.action()) {
      case NOTHING:
        return null;
      case REPLACE:
        retire();
        return Reprotection.failed(null, null, "nothing to re-protect: " + plan.reason());
      default:
        try {
          return reprotect(pair, plan);
        } catch (Exception | AssertionError e) {
          log.error("re-protection failed; the next round gets a fresh pair", e);
          retire();
          return Reprotection.failed(plan.survivor(), plan.joiner(), e.toString());
        }
    }
  }

  private Reprotection reprotect(PairHarness pair, ReprotectPlan plan) throws Exception {
    String survivor = plan.survivor();
    String joiner = plan.joiner();
    long epochBefore = pair.status(survivor).epoch();
    if (plan.stopJoinerFirst()) {
      stopDaemon(pair.pair().daemon(joiner), joiner);
    }
    long rejoinAt = System.currentTimeMillis();
    pair.rejoin(joiner);
    long deadline = rejoinAt + bound.toMillis();
    NodeStatus status = null;
    while (System.currentTimeMillis() < deadline) {
      try {
        status = pair.status(survivor);
        if (status.role() == NodeRole.PRIMARY_PROTECTED
            && status.reason().contains("within the replay bound")
            && status.epoch() == epochBefore + 1
            && pair.pair().roleOf(joiner).orElse(null) == NodeRole.BACKUP_REPLAYING) {
          long millis = System.currentTimeMillis() - rejoinAt;
          log.info(
              "{} protected again by {} at epoch {} {} ms after the rejoin; watching it {} s",
              survivor,
              joiner,
              status.epoch(),
              millis,
              SETTLE.toSeconds());
          awaitStaysProtected(pair, survivor, joiner, millis);
          return new Reprotection(survivor, joiner, status.epoch(), millis, null);
        }
      } catch (IOException e) {
        log.debug("status of {}: {}", survivor, e.toString());
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        String.format(
            Locale.ROOT,
            "%s not protected at epoch %d within %d s of %s's rejoin; last %s %s (%s), %s %s",
            survivor,
            epochBefore + 1,
            bound.toSeconds(),
            joiner,
            survivor,
            status == null ? "no status" : status.role() + " epoch " + status.epoch(),
            status == null ? "" : status.reason(),
            joiner,
            pair.pair().roleLine(joiner)));
  }

  private static void awaitStaysProtected(
      PairHarness pair, String survivor, String joiner, long protectedAfterMillis)
      throws InterruptedException {
    long start = System.currentTimeMillis();
    while (System.currentTimeMillis() - start < SETTLE.toMillis()) {
      if (pair.pair().roleOf(survivor).orElse(null) != NodeRole.PRIMARY_PROTECTED
          || pair.pair().roleOf(joiner).orElse(null) != NodeRole.BACKUP_REPLAYING) {
        throw new IllegalStateException(
            String.format(
                Locale.ROOT,
                "protected %d ms after the rejoin, but %d ms later %s is '%s' and %s '%s'",
                protectedAfterMillis,
                System.currentTimeMillis() - start,
                joiner,
                pair.pair().roleLine(joiner),
                survivor,
                pair.pair().roleLine(survivor)));
      }
      Thread.sleep(50);
    }
  }

  /** A fenced node's daemon stays up HALTED; as an admin restarting the service, stop it first. */
  private static void stopDaemon(Process daemon, String node) throws InterruptedException {
    log.info("stopping {}'s fenced daemon (pid {}) before it rejoins", node, daemon.pid());
    daemon.destroy();
    if (!daemon.waitFor(DAEMON_STOP.toMillis(), TimeUnit.MILLISECONDS)) {
      daemon.destroyForcibly();
      daemon.waitFor(DAEMON_STOP.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void retire() {
    if (harness != null) {
      harness.close();
      harness = null;
      transcript = null;
    }
  }

  @Override
  public boolean removesPairAfterRound() {
    return false;
  }

  @Override
  public void close() {
    retire();
  }
}
