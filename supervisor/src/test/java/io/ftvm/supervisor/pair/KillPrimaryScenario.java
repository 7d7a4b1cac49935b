package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * PairFailoverIT's kill -9 of host A for guests other than the default test guest: a client on its
 * own host reads the guest's counter over ONE connection, host A's daemon and QEMU are killed, and
 * the backup must go live and the same connection carry on with no gap and no duplicate.
 */
final class KillPrimaryScenario {
  private static final int LINES_BEFORE = 300;
  private static final int LINES_AFTER = 300;

  private KillPrimaryScenario() {}

  /** Runs the scenario; returns the figures measured. */
  static Map<String, Object> run(PairHarness harness) throws Exception {
    LocalPair pair = harness.pair();
    Path transcript = harness.startCounterClient(Duration.ofMinutes(8));
    await("counter stream flowing through the protected primary")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> CounterTranscript.read(transcript).count() >= LINES_BEFORE);
    assertThat(harness.status(LocalPair.PRIMARY).role()).isEqualTo(NodeRole.PRIMARY_PROTECTED);
    assertThat(harness.status(LocalPair.BACKUP).role()).isEqualTo(NodeRole.BACKUP_REPLAYING);

    long faultAt = System.currentTimeMillis();
    PairFault.KILL_PRIMARY_HOST.inject(harness);
    await("the backup live after the kill of host A")
        .atMost(Duration.ofMinutes(1))
        .pollInterval(Duration.ofMillis(10))
        .until(() -> pair.roleOf(LocalPair.BACKUP).orElse(null) == NodeRole.PRIMARY_ALONE);
    long liveAt = System.currentTimeMillis();
    await("the same TCP connection delivers new lines after the kill")
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> CounterTranscript.read(transcript).countReceivedAfter(faultAt) >= LINES_AFTER);

    CounterTranscript received = CounterTranscript.read(transcript);
    assertThat(received.discontinuities()).as("gaps or duplicates in the counter stream").isEmpty();
    assertThat(received.end()).as("connection ended").isNull();
    Map<String, Object> measured = new LinkedHashMap<>();
    measured.put("faultToLiveRoleMillis", liveAt - faultAt);
    measured.put("faultToFirstNewLineMillis", received.firstArrivalAfter(faultAt) - faultAt);
    measured.put("longestStreamSilenceMillis", received.longestSilenceAround(faultAt));
    measured.put("linesReceived", received.count());
    measured.put("survivorRole", pair.roleLine(LocalPair.BACKUP));
    return measured;
  }
}
