package io.ftvm.fencing;

import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an admin-configured STONITH-style command (power off a host via its BMC, destroy a libvirt
 * domain, cut a switch port). The command learns what to fence from the environment: {@code
 * FTVM_VM_ID}, {@code FTVM_EPOCH}, {@code FTVM_NODE_ID} (node to fence), {@code FTVM_PEER} and
 * {@code FTVM_REASON}. Exit status 0 means "fenced"; anything else, or not finishing in time, is a
 * failure reported with the tail of its stderr.
 */
public final class ExternalCommandFencer implements Fencer {
  static final int TAIL_BYTES = 2048;
  private static final long DRAIN_MILLIS = 200;
  private static final Logger log = LoggerFactory.getLogger(ExternalCommandFencer.class);

  private final String name;
  private final List<String> command;
  private final Duration timeout;

  public ExternalCommandFencer(String name, List<String> command, Duration timeout) {
    if (command.isEmpty()) {
      throw new IllegalArgumentException("fencing command for '" + name + "' is empty");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "timeout of fencing command '" + name + "' must be > 0 but was " + timeout);
    }
    this.name = name;
    this.command = List.copyOf(command);
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public FenceReport fence(FenceRequest request) {
    long start = System.nanoTime();
    FenceStep step;
    try {
      step = run(request, start);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      step =
          FenceStep.failed(name, elapsedSince(start), "interrupted while waiting for " + command);
    }
    if (step.succeeded()) {
      log.info("{}", step.summary());
    } else {
      log.error("{}", step.summary());
    }
    return FenceReport.single(step, timeout);
  }

  private FenceStep run(FenceRequest request, long start) throws InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
    Map<String, String> env = builder.environment();
    env.put("FTVM_VM_ID", request.vmId());
    env.put("FTVM_EPOCH", Long.toString(request.epoch()));
    env.put("FTVM_NODE_ID", request.nodeId());
    env.put("FTVM_PEER", request.peerNodeId());
    env.put("FTVM_REASON", request.reason());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return FenceStep.failed(
          name, elapsedSince(start), "could not start " + command + ": " + e.getMessage());
    }
    log.info(
        "running fencing command {} (pid {}) for {}", command, process.pid(), request.describe());
    StreamTail stdout = new StreamTail(process.getInputStream(), TAIL_BYTES, name + "-stdout");
    StreamTail stderr = new StreamTail(process.getErrorStream(), TAIL_BYTES, name + "-stderr");
    boolean finished = process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (!finished) {
      killTree(process);
      stderr.awaitEnd(DRAIN_MILLIS);
      return FenceStep.failed(
          name,
          elapsedSince(start),
          command.get(0)
              + " did not finish within "
              + FenceReport.formatMillis(timeout)
              + " and was killed; stderr tail: "
              + StreamTail.oneLine(stderr.text()));
    }
    stdout.awaitEnd(DRAIN_MILLIS);
    stderr.awaitEnd(DRAIN_MILLIS);
    int status = process.exitValue();
    if (status != 0) {
      return FenceStep.failed(
          name,
          elapsedSince(start),
          command.get(0)
              + " exited with status "
              + status
              + "; stderr tail: "
              + StreamTail.oneLine(stderr.text()));
    }
    return FenceStep.succeeded(
        name,
        elapsedSince(start),
        command.get(0) + " exited 0; stdout tail: " + StreamTail.oneLine(stdout.text()));
  }

  /** Kills descendants first so that a script's children cannot outlive it and keep fencing. */
  private static void killTree(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(DRAIN_MILLIS, TimeUnit.MILLISECONDS);
  }

  private static Duration elapsedSince(long startNanos) {
    return Duration.ofNanos(System.nanoTime() - startNanos);
  }
}
