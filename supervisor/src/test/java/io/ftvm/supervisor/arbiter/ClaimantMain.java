package io.ftvm.supervisor.arbiter;

import io.ftvm.lock.GoLiveArbiter;
import io.ftvm.lock.GoLiveClaim;
import io.ftvm.lock.GoLiveDecision;
import io.ftvm.lock.SharedDirectoryArbiter;
import io.ftvm.lock.StorageUnavailableException;
import io.ftvm.lock.ZooKeeperArbiter;
import io.ftvm.lock.ZooKeeperConnection;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * A go-live claimant as its own process, so that tests can put it in a network namespace of its
 * own. Args: {@code zk <connect> <nodeId> <opTimeoutMs>} or {@code dir <path> <nodeId>
 * <opTimeoutMs>}. Prints {@code READY}, then answers each stdin line:
 *
 * <ul>
 *   <li>{@code claim <vm> <epoch>} with {@code RESULT <epoch> WON|LOST|UNAVAILABLE <winner|-> <µs>
 *       [message]}
 *   <li>{@code winner <vm> <epoch>} with {@code WINNER <epoch> <node|-|UNAVAILABLE>}
 *   <li>{@code records <vm>} with {@code RECORDS <vm> <epoch>:<winner> ...} or {@code RECORDS <vm>
 *       UNAVAILABLE}
 * </ul>
 *
 * The time is measured here, around the arbiter call only. Logs go to stderr.
 */
public final class ClaimantMain {
  private ClaimantMain() {}

  public static void main(String[] args) throws Exception {
    String nodeId = args[2];
    Duration opTimeout = Duration.ofMillis(Long.parseLong(args[3]));
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    try (GoLiveArbiter arbiter = open(args[0], args[1], opTimeout)) {
      out.println("READY " + arbiter.describe());
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] words = line.strip().split(" ");
        String vm = words[1];
        long epoch = words.length > 2 ? Long.parseLong(words[2]) : 0;
        if (words[0].equals("claim")) {
          long start = System.nanoTime();
          try {
            GoLiveDecision decision =
                arbiter.tryGoLive(new GoLiveClaim(vm, epoch, nodeId, "test", Instant.now()));
            long micros = (System.nanoTime() - start) / 1000;
            out.println(
                "RESULT "
                    + epoch
                    + " "
                    + decision.outcome()
                    + " "
                    + decision.winner().nodeId().orElse("?")
                    + " "
                    + micros);
          } catch (StorageUnavailableException e) {
            long micros = (System.nanoTime() - start) / 1000;
            out.println(
                "RESULT "
                    + epoch
                    + " UNAVAILABLE - "
                    + micros
                    + " "
                    + String.valueOf(e.getMessage()).replace('\n', ' '));
          }
        } else if (words[0].equals("records")) {
          out.println(records(arbiter, vm));
        } else if (words[0].equals("winner")) {
          try {
            out.println(
                "WINNER "
                    + epoch
                    + " "
                    + arbiter.winner(vm, epoch).flatMap(w -> w.nodeId()).orElse("-"));
          } catch (StorageUnavailableException e) {
            out.println("WINNER " + epoch + " UNAVAILABLE");
          }
        } else {
          out.println("ERROR unknown command " + line);
        }
      }
    }
  }

  /**
   * {@code RECORDS <epoch>:<winner|?> ...} for every claimed epoch, or {@code RECORDS UNAVAILABLE}.
   */
  private static String records(GoLiveArbiter arbiter, String vm) {
    // The VM in the answer lets a reader skip a late answer to an earlier question.
    StringBuilder line = new StringBuilder("RECORDS " + vm);
    try {
      long highest = arbiter.highestEpoch(vm);
      for (long epoch = 0; epoch <= highest; epoch++) {
        var winner = arbiter.winner(vm, epoch);
        if (winner.isPresent()) {
          line.append(' ').append(epoch).append(':').append(winner.get().nodeId().orElse("?"));
        }
      }
      return line.toString();
    } catch (StorageUnavailableException e) {
      return "RECORDS " + vm + " UNAVAILABLE";
    }
  }

  private static GoLiveArbiter open(String type, String where, Duration opTimeout) {
    if (type.equals("zk")) {
      return new ZooKeeperArbiter(
          new ZooKeeperConnection(where, "/ftvm", Duration.ofSeconds(4), opTimeout));
    }
    return new SharedDirectoryArbiter(Path.of(where), opTimeout);
  }
}
