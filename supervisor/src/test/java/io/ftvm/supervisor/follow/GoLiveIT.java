package io.ftvm.supervisor.follow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The primary QEMU dies by SIGKILL while the backup follows it; the stream is ended at the last
 * whole event, the backup goes live and carries on as the same guest: its console continues the
 * primary's with new random bytes and counters, and its TCP services answer on the backup's LAN
 * with the state the primary's clients built up.
 */
class GoLiveIT {
  private static final Duration BOOT = Duration.ofMinutes(3);
  private static final Duration FOLLOW_FOR = Duration.ofSeconds(10);
  private static final Duration LIVE_WITHIN = Duration.ofSeconds(30);
  private static final Pattern RANDOM = Pattern.compile("FTVM random ([0-9a-f]{32}) n=(\\d+)");
  private static final Pattern HEARTBEAT = Pattern.compile("FTVM heartbeat (\\d+)");
  private static final Pattern DISK = Pattern.compile("FTVM disk blocks=(\\d+) .*errors=0");
  private static final String WENT_LIVE = "ftvm: replay went live";

  private FollowFixture fixture;
  private GuestLan primaryLan;
  private GuestLan backupLan;
  private FollowingPair pair;

  @BeforeEach
  void start() throws Exception {
    fixture = FollowFixture.start("golive", true);
    primaryLan = fixture.primaryLan();
    backupLan = fixture.backupLan();
    pair = fixture.pair();
  }

  @AfterEach
  void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void backupGoesLiveAfterThePrimaryIsKilledAndProducesNewOutput() throws Exception {
    ConsoleLines primary = pair.primary().console();
    ConsoleLines backup = pair.backup().console();
    int ready = primary.awaitLine("primary ready", l -> l.startsWith("FTVM ready "), 0, BOOT);
    long readyAt = primary.arrivalNanos(ready);
    primary.awaitLine("services up", l -> l.startsWith("FTVM net listening"), 0, BOOT);
    GuestClient primaryClient = new GuestClient(primaryLan);
    long increments = 0;
    while (System.nanoTime() - readyAt < FOLLOW_FOR.toNanos()) {
      assertThat(primaryClient.kv("INCR failover")).isEqualTo(Long.toString(++increments));
      int seen = primary.count();
      primary.awaitCount("next primary line", seen + 1, Duration.ofSeconds(30));
    }
    assertThat(primaryClient.kv("SET before-kill " + increments)).isEqualTo("OK");
    backup.awaitLine("backup following", l -> l.startsWith("FTVM ready "), 0, BOOT);

    long killAt = System.nanoTime();
    pair.primary().vm().kill(); // SIGKILL to the primary QEMU's pid
    assertThat(pair.primary().vm().awaitExit(Duration.ofSeconds(10))).isTrue();
    pair.pump().finished().get(30, java.util.concurrent.TimeUnit.SECONDS);
    long eofAt = System.nanoTime();
    List<String> primaryLines = completeLines(pair.primary().console().file());
    long backlogAtEnd = pair.feeder().receivedPosition() - pair.feeder().fedPosition();

    long endAt = System.nanoTime();
    pair.feeder().endStream();
    await("backup QEMU reports going live")
        .atMost(LIVE_WITHIN)
        .pollInterval(Duration.ofMillis(2))
        .until(() -> pair.backup().qemuLog().contains(WENT_LIVE));
    long liveAt = System.nanoTime();
    backupLan.acceptInbound(true);
    assertThat(pair.backup().vm().isRunning()).as("backup QEMU alive after go-live").isTrue();

    int firstNew =
        backup.awaitLine(
            "first line after the primary's last", l -> true, primaryLines.size(), LIVE_WITHIN);
    long firstNewLineAt = backup.arrivalNanos(firstNew);
    assertThat(backup.lines().subList(0, primaryLines.size()))
        .as("backup console continues the primary's")
        .isEqualTo(primaryLines);

    Set<String> primaryRandoms = new HashSet<>();
    long lastRandomN = -1;
    for (String line : primaryLines) {
      Matcher m = RANDOM.matcher(line);
      if (m.matches()) {
        primaryRandoms.add(m.group(1));
        lastRandomN = Math.max(lastRandomN, Long.parseLong(m.group(2)));
      }
    }
    assertThat(lastRandomN).as("random lines seen on the primary").isGreaterThanOrEqualTo(0);
    long primaryRandomN = lastRandomN;
    int newRandom =
        backup.awaitLine(
            "new random bytes",
            l -> {
              Matcher m = RANDOM.matcher(l);
              return m.matches() && Long.parseLong(m.group(2)) > primaryRandomN;
            },
            primaryLines.size(),
            LIVE_WITHIN);
    long newRandomAt = backup.arrivalNanos(newRandom);
    List<String> liveLines = backup.lines().subList(primaryLines.size(), backup.count());
    for (String line : liveLines) {
      Matcher m = RANDOM.matcher(line);
      if (m.matches()) {
        assertThat(primaryRandoms)
            .as("random bytes already printed by the primary")
            .doesNotContain(m.group(1));
        assertThat(Long.parseLong(m.group(2))).isGreaterThan(primaryRandomN);
      }
    }
    long lastHeartbeat = lastNumber(primaryLines, HEARTBEAT);
    long lastDiskBlocks = lastNumber(primaryLines, DISK);
    backup.awaitLine(
        "a new heartbeat",
        l -> numberIn(l, HEARTBEAT) > lastHeartbeat,
        primaryLines.size(),
        Duration.ofSeconds(30));
    backup.awaitLine(
        "a new error-free disk report",
        l -> numberIn(l, DISK) > lastDiskBlocks,
        primaryLines.size(),
        Duration.ofSeconds(30));

    // The services answer on the backup's LAN, with the state the primary's clients left.
    GuestClient backupClient = new GuestClient(backupLan);
    long networkStart = System.nanoTime();
    assertThat(backupClient.kv("GET before-kill")).isEqualTo(Long.toString(increments));
    long firstReplyAt = System.nanoTime();
    assertThat(backupClient.kv("INCR failover")).isEqualTo(Long.toString(increments + 1));
    assertThat(backupClient.echo("alive after failover")).isEqualTo("alive after failover");
    assertThat(backupClient.kv("PING")).isEqualTo("PONG");
    assertThat(pair.backup().qemuLog()).doesNotContain("ended inside event");

    new Measurements("go-live")
        .put("workload", "all")
        .put("followedBeforeKillMillis", Measurements.millis(killAt - readyAt))
        .put("kvIncrementsOnPrimary", increments)
        .put("killToPumpEofMillis", Measurements.millis(eofAt - killAt))
        .put("backupBacklogBytesAtEndOfStream", backlogAtEnd)
        .put("endOfStreamToWentLiveMillis", Measurements.millis(liveAt - endAt))
        .put("endOfStreamToFirstNewConsoleLineMillis", Measurements.millis(firstNewLineAt - endAt))
        .put("firstNewConsoleLine", backup.lines().get(firstNew))
        .put("endOfStreamToFirstNewRandomLineMillis", Measurements.millis(newRandomAt - endAt))
        .put("firstKvReplyOnBackupLanMillis", Measurements.millis(firstReplyAt - networkStart))
        .put("wentLiveLine", wentLiveLine())
        .write();
    fixture.passed();
  }

  private String wentLiveLine() throws Exception {
    return pair.backup()
        .qemuLog()
        .lines()
        .filter(l -> l.contains(WENT_LIVE))
        .findFirst()
        .orElse("");
  }

  private static long lastNumber(List<String> lines, Pattern pattern) {
    long last = -1;
    for (String line : lines) {
      last = Math.max(last, numberIn(line, pattern));
    }
    assertThat(last).as("primary printed a line matching " + pattern).isGreaterThanOrEqualTo(0);
    return last;
  }

  private static long numberIn(String line, Pattern pattern) {
    Matcher m = pattern.matcher(line);
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  private static List<String> completeLines(Path console) throws Exception {
    String text = Files.readString(console, StandardCharsets.ISO_8859_1).replace("\r", "");
    int end = text.lastIndexOf('\n');
    return end < 0 ? List.of() : new ArrayList<>(List.of(text.substring(0, end).split("\n")));
  }
}
