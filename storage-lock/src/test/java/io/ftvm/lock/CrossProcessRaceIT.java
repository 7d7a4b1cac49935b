package io.ftvm.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Separate JVMs, like supervisors on separate hosts, race for the same (vm, epoch) in lockstep. */
class CrossProcessRaceIT {
  private static final Logger log = LoggerFactory.getLogger(CrossProcessRaceIT.class);
  private static final int RACERS = 3;
  private static final int EPOCHS = 200;

  @TempDir Path storage;
  private final List<Racer> racers = new ArrayList<>();

  private record Racer(String nodeId, Process process, Writer stdin, BufferedReader stdout) {
    String nextResult() throws IOException {
      for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
        if (line.startsWith("RESULT ") || line.equals("READY")) {
          return line;
        }
      }
      throw new IOException("racer " + nodeId + " ended early, exit " + process.exitValue());
    }
  }

  @AfterEach
  void stopRacers() throws InterruptedException {
    for (Racer racer : racers) {
      racer.process().destroyForcibly();
      racer.process().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void exactlyOneProcessWinsEachEpoch() throws Exception {
    SharedDirectoryArbiter.initializeStorage(storage);
    for (int i = 0; i < RACERS; i++) {
      racers.add(startRacer("host-" + i));
    }
    for (Racer racer : racers) {
      assertThat(racer.nextResult()).isEqualTo("READY");
    }
    long start = System.nanoTime();
    for (int epoch = 0; epoch < EPOCHS; epoch++) {
      for (Racer racer : racers) {
        racer.stdin().write(epoch + "\n");
        racer.stdin().flush();
      }
      Set<String> winnersSeen = new HashSet<>();
      int wins = 0;
      for (Racer racer : racers) {
        String[] result = racer.nextResult().split(" ");
        assertThat(result[1]).isEqualTo(String.valueOf(epoch));
        if (result[2].equals("WON")) {
          wins++;
          assertThat(result[3]).isEqualTo(racer.nodeId());
        }
        winnersSeen.add(result[3]);
      }
      assertThat(wins).as("winners of epoch %d", epoch).isEqualTo(1);
      assertThat(winnersSeen).as("every racer names the same winner").hasSize(1);
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    log.info(
        "{} JVMs raced for {} epochs: exactly one winner each, {} ms per race",
        RACERS,
        EPOCHS,
        String.format("%.2f", took.toNanos() / 1e6 / EPOCHS));
  }

  private Racer startRacer(String nodeId) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process process =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                ClaimRacerMain.class.getName(),
                storage.toString(),
                "web-1",
                nodeId)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    return new Racer(
        nodeId,
        process,
        new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8),
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)));
  }
}
