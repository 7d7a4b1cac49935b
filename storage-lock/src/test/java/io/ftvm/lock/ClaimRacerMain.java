package io.ftvm.lock;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A second JVM for {@link CrossProcessRaceIT}: claims the epoch named by each stdin line as {@code
 * nodeId} and answers {@code RESULT <epoch> WON|LOST <winner>} on stdout.
 */
public final class ClaimRacerMain {
  private ClaimRacerMain() {}

  public static void main(String[] args) throws Exception {
    Path storage = Path.of(args[0]);
    String vmId = args[1];
    String nodeId = args[2];
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (GoLiveArbiter arbiter = new SharedDirectoryArbiter(storage, Duration.ofSeconds(5))) {
      out.println("READY");
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        long epoch = Long.parseLong(line.strip());
        GoLiveDecision decision =
            arbiter.tryGoLive(new GoLiveClaim(vmId, epoch, nodeId, "race", Instant.now()));
        out.println(
            "RESULT "
                + epoch
                + " "
                + decision.outcome()
                + " "
                + decision.winner().nodeId().orElse("?"));
      }
    }
  }
}
