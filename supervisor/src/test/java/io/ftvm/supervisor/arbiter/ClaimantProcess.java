package io.ftvm.supervisor.arbiter;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Drives a {@link ClaimantMain} process (optionally inside a network namespace). */
public final class ClaimantProcess implements AutoCloseable {
  /** One answer to a claim. */
  public record Result(long epoch, String outcome, String winner, long micros, String message) {
    public boolean won() {
      return outcome.equals("WON");
    }

    public boolean lost() {
      return outcome.equals("LOST");
    }

    public boolean unavailable() {
      return outcome.equals("UNAVAILABLE");
    }
  }

  private final String nodeId;
  private final Process process;
  private final PrintStream in;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  private ClaimantProcess(String nodeId, Process process) {
    this.nodeId = nodeId;
    this.process = process;
    this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the process went away; take() times out with a clear message
              }
            },
            "claimant-" + nodeId);
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * @param namespace where to run it, or null for this JVM's namespace
   * @param backend {@code zk} or {@code dir}
   * @param where connect string or directory
   */
  public static ClaimantProcess start(
      String namespace,
      String backend,
      String where,
      String nodeId,
      Duration opTimeout,
      Path logFile)
      throws IOException {
    List<String> argv = new ArrayList<>();
    if (namespace != null) {
      argv.addAll(List.of("ip", "netns", "exec", namespace));
    }
    argv.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx128m",
            "-XX:+UseSerialGC",
            "-cp",
            System.getProperty("java.class.path"),
            ClaimantMain.class.getName(),
            backend,
            where,
            nodeId,
            String.valueOf(opTimeout.toMillis())));
    Process process =
        new ProcessBuilder(argv)
            .redirectError(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
            .start();
    ClaimantProcess claimant = new ClaimantProcess(nodeId, process);
    try {
      claimant.expect("READY", Duration.ofSeconds(60));
    } catch (IOException | RuntimeException e) {
      claimant.close();
      throw e;
    }
    return claimant;
  }

  public String nodeId() {
    return nodeId;
  }

  /** Sends a claim without waiting; {@link #awaitResult} reads its answer. */
  public void sendClaim(String vm, long epoch) {
    in.println("claim " + vm + " " + epoch);
  }

  public Result awaitResult(Duration timeout) throws IOException {
    String[] words = expect("RESULT", timeout).split(" ", 6);
    return new Result(
        Long.parseLong(words[1]),
        words[2],
        words[3],
        Long.parseLong(words[4]),
        words.length > 5 ? words[5] : "");
  }

  public Result claim(String vm, long epoch, Duration timeout) throws IOException {
    sendClaim(vm, epoch);
    return awaitResult(timeout);
  }

  /** The recorded winner of (vm, epoch): a node id, "-" for none, or "UNAVAILABLE". */
  public String winner(String vm, long epoch, Duration timeout) throws IOException {
    in.println("winner " + vm + " " + epoch);
    return expect("WINNER", timeout).split(" ")[2];
  }

  /**
   * Every go-live record of {@code vm} as epoch to winner ("?" for an unreadable record); empty
   * when the backend is unavailable.
   */
  public synchronized java.util.Optional<java.util.Map<Long, String>> records(
      String vm, Duration timeout) throws IOException {
    in.println("records " + vm);
    // An answer to an earlier question (one whose caller gave up waiting) may still be queued; it
    // names another VM, or the same VM with what was true a moment ago.
    String prefix = "RECORDS " + vm;
    String line = expect(prefix + " ", prefix, timeout);
    if (line.equals(prefix + " UNAVAILABLE")) {
      return java.util.Optional.empty();
    }
    java.util.Map<Long, String> records = new java.util.TreeMap<>();
    for (String entry : line.substring(prefix.length()).strip().split(" ")) {
      if (!entry.isEmpty()) {
        int colon = entry.indexOf(':');
        records.put(Long.parseLong(entry.substring(0, colon)), entry.substring(colon + 1));
      }
    }
    return java.util.Optional.of(records);
  }

  private String expect(String prefix, Duration timeout) throws IOException {
    return expect(prefix, null, timeout);
  }

  /** The next line starting with {@code prefix} or equal to {@code exact}; others are skipped. */
  private String expect(String prefix, String exact, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line;
      try {
        line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for claimant " + nodeId, e);
      }
      if (line == null) {
        throw new IOException(
            "claimant "
                + nodeId
                + " gave no "
                + prefix
                + " line within "
                + timeout.toMillis()
                + " ms"
                + (process.isAlive() ? "" : " (it exited with " + process.exitValue() + ")"));
      }
      if (line.startsWith(prefix) || line.equals(exact)) {
        return line;
      }
    }
  }

  @Override
  public void close() {
    in.close();
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
