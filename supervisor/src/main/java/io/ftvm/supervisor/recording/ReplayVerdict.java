package io.ftvm.supervisor.recording;

import io.ftvm.replay.ConsoleDiff;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How a replay compared with its recording.
 *
 * @param finished QEMU reached the end of the log and exited cleanly
 * @param problem why the replay did not finish (QEMU error, stall, timeout, stopped at a console
 *     divergence), empty if it finished
 * @param consoleDivergence first console difference, empty if identical
 * @param expectedDiskSha256 final disk digest of the recording
 * @param actualDiskSha256 final disk digest of the replay, empty if not compared
 * @param replayedInstructions icount QEMU last reported, -1 if never
 */
public record ReplayVerdict(
    boolean finished,
    Optional<String> problem,
    Optional<ConsoleDiff.Divergence> consoleDivergence,
    String expectedDiskSha256,
    Optional<String> actualDiskSha256,
    long recordedInstructions,
    long replayedInstructions,
    Duration wallTime) {

  public boolean diskMatches() {
    return actualDiskSha256.map(expectedDiskSha256::equals).orElse(false);
  }

  /** The replay reproduced the recording: finished, same console, same disk. */
  public boolean identical() {
    return finished && problem.isEmpty() && consoleDivergence.isEmpty() && diskMatches();
  }

  /** Multi-line report for the CLI. */
  public String describe() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "replay %s in %.1f s%n",
            identical() ? "IDENTICAL to the recording" : "DIVERGED from the recording",
            wallTime.toMillis() / 1000.0));
    problem.ifPresent(p -> out.append("replay did not finish: ").append(p).append('\n'));
    out.append(consoleDivergence.map(d -> d.describe() + "\n").orElse("console: identical\n"));
    if (actualDiskSha256.isEmpty()) {
      out.append("disk: not compared (replay did not finish)\n");
    } else if (diskMatches()) {
      out.append("disk: identical (sha256 ").append(expectedDiskSha256).append(")\n");
    } else {
      out.append("disk: differs\n  expected sha256: ")
          .append(expectedDiskSha256)
          .append("\n  actual sha256:   ")
          .append(actualDiskSha256.get())
          .append('\n');
    }
    if (replayedInstructions >= 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "instructions: %,d replayed of %,d recorded%n",
              replayedInstructions,
              recordedInstructions));
    }
    return out.toString();
  }
}
