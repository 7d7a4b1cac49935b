package io.ftvm.bench;

import io.ftvm.supervisor.topology.PairTopology;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One benchmark configuration with the test VM running in it: where the client host is, when the
 * guest is ready, and what the configuration itself can tell about a measured window (replay log
 * rate, CPU, for the pair also acks, holds and backup lag).
 */
interface BenchTarget extends AutoCloseable {

  /** The namespaces of this configuration; the client runs on its client host. */
  PairTopology topology();

  /**
   * Blocks until the guest printed its ready line.
   *
   * @return seconds from the start of the configuration to the ready line
   */
  double awaitGuestReady(Duration timeout) throws Exception;

  /**
   * The processes that make up each emulated host, by host name in host order: what {@code
   * --pin-hosts} binds to that host's CPUs.
   */
  Map<String, List<Long>> processesByHost();

  /** Takes one reading of the configuration's own counters; called periodically. */
  void sample(long epochMillis);

  /** Figures over the client's measured window. */
  Map<String, Double> summarize(MeasuredWindow window);

  /** Stops the VM(s) and removes the namespaces; never throws. */
  @Override
  void close();
}
