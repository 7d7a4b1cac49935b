package io.ftvm.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emulates hosts with their own cores on one machine: every thread of each emulated host's
 * processes (its QEMU, for the pair also its supervisor daemon) is bound to that host's CPUs with
 * {@code taskset -a}. Threads those processes start later inherit the binding.
 *
 * <p>Why: on a machine with fewer cores than two real hosts would have, the primary's and the
 * backup's QEMUs otherwise compete for the same cores, and a comparison of the pair with a lone
 * recording VM measures that competition instead of what the pair costs one host.
 */
final class HostCpuPinning {
  private static final Logger log = LoggerFactory.getLogger(HostCpuPinning.class);

  private final List<String> cpusByHost;

  /**
   * @param cpusByHost the CPU list ({@code taskset -c} syntax, e.g. {@code 0} or {@code 2-3}) of
   *     the first emulated host (host a, the primary), then the second (host b, the backup)
   */
  HostCpuPinning(List<String> cpusByHost) {
    for (String cpus : cpusByHost) {
      if (!cpus.matches("[0-9]+([-,][0-9]+)*")) {
        throw new IllegalArgumentException(
            "not a CPU list: '" + cpus + "' (expected taskset -c syntax such as 0, 1 or 2-3)");
      }
    }
    this.cpusByHost = List.copyOf(cpusByHost);
  }

  boolean isEnabled() {
    return !cpusByHost.isEmpty();
  }

  /** What this run pins, for the results file. */
  String describe() {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < cpusByHost.size(); i++) {
      parts.add(hostName(i) + "=cpu " + cpusByHost.get(i));
    }
    return String.join(", ", parts);
  }

  /**
   * Binds each host's processes to its CPUs.
   *
   * @param processesByHost process ids by emulated host, in host order (a, b)
   */
  void apply(Map<String, List<Long>> processesByHost) throws IOException, InterruptedException {
    int index = 0;
    for (Map.Entry<String, List<Long>> host : processesByHost.entrySet()) {
      if (index >= cpusByHost.size()) {
        throw new IllegalArgumentException(
            "host "
                + host.getKey()
                + " has no CPUs: --pin-hosts names "
                + cpusByHost.size()
                + " host(s)");
      }
      String cpus = cpusByHost.get(index++);
      for (long pid : host.getValue()) {
        bind(pid, cpus);
      }
      log.info("host {}: processes {} bound to cpu {}", host.getKey(), host.getValue(), cpus);
    }
  }

  private static void bind(long pid, String cpus) throws IOException, InterruptedException {
    Process taskset =
        new ProcessBuilder("taskset", "-a", "-p", "-c", cpus, Long.toString(pid))
            .redirectErrorStream(true)
            .start();
    String output = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!taskset.waitFor(10, TimeUnit.SECONDS)) {
      taskset.destroyForcibly();
      throw new IOException("taskset for pid " + pid + " did not finish");
    }
    if (taskset.exitValue() != 0) {
      throw new IOException("taskset -a -p -c " + cpus + " " + pid + " failed: " + output.strip());
    }
  }

  private static String hostName(int index) {
    return String.valueOf((char) ('a' + index));
  }
}
