package io.ftvm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.pair.PairConfig;
import io.ftvm.supervisor.topology.HostRole;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What fault tolerance costs: boots the same test VM in three configurations one after the other in
 * one run, drives each with the same client for the same time once the guest is ready, and prints
 * the figures side by side with their ratios (the design anchor is VMware FT's FT/non-FT throughput
 * of 0.94-0.99). Started by {@code bench/run.sh}; see docs/benchmarks.md.
 */
@Command(
    name = "ft-overhead-bench",
    mixinStandardHelpOptions = true,
    description =
        "Measures plain TCG, -icount alone, record-only and the protected pair side by side.")
public final class FtOverheadBench implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(FtOverheadBench.class);
  private static final Duration GUEST_READY_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration SAMPLE_INTERVAL = Duration.ofMillis(500);
  private static final int CLIENT_CONNECT_TIMEOUT_SECONDS = 120;

  @Option(names = "--qemu", required = true, description = "The patched qemu-system-x86_64.")
  Path qemu;

  @Option(names = "--test-vm", required = true, description = "Directory from test-vms/build.sh.")
  Path testVm;

  @Option(
      names = "--seconds",
      defaultValue = "15",
      description = "Seconds of each client phase (echo, then kv). Default: ${DEFAULT-VALUE}.")
  long phaseSeconds;

  @Option(
      names = "--kv-depth",
      defaultValue = "16",
      description = "Outstanding pipelined INCRs. Default: ${DEFAULT-VALUE}.")
  int kvDepth;

  @Option(
      names = "--workload",
      defaultValue = "net",
      description = "Guest workload (net or all). Default: ${DEFAULT-VALUE}.")
  String workload;

  @Option(
      names = "--configs",
      defaultValue = "plain,icount,record,ft",
      split = ",",
      description = "Configurations to run, in this order. Default: ${DEFAULT-VALUE}.")
  List<String> configurations;

  @Option(
      names = "--cpu-seconds",
      defaultValue = "10",
      description =
          "Seconds of the guest-CPU phase after echo and kv (0: none). Default: ${DEFAULT-VALUE}.")
  long cpuSeconds;

  @Option(
      names = "--disk-seconds",
      defaultValue = "5",
      description = "Seconds of each of the four disk phases (0: none). Default: ${DEFAULT-VALUE}.")
  long diskSeconds;

  @Option(
      names = "--detection-timeout-ms",
      defaultValue = "" + PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS,
      description = "The pair's failure detection timeout (default: the product's).")
  long detectionTimeoutMillis;

  @Option(
      names = "--warmup-seconds",
      defaultValue = "0",
      description =
          "Unmeasured echo and kv load for this many seconds each after the guest is ready and"
              + " before the measured window (0: none), so that freshly started JVMs (a pair's"
              + " daemons) have compiled their hot paths. Default: ${DEFAULT-VALUE}.")
  long warmupSeconds;

  @Option(
      names = "--pin-hosts",
      split = ",",
      paramLabel = "CPUS",
      description =
          "Emulate hosts with their own cores: once the guest is ready, bind every thread of host"
              + " a (the lone VM's QEMU; the primary's QEMU and daemon) to the first CPU list and"
              + " host b (the backup's QEMU and daemon) to the second, e.g. --pin-hosts 0,1. The"
              + " client and this JVM stay unbound. Default: nothing bound.")
  List<String> pinHosts = List.of();

  @Option(names = "--work-dir", required = true, description = "Run files and results.json.")
  Path workDirectory;

  public static void main(String[] args) {
    System.exit(new CommandLine(new FtOverheadBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    GuestImage image = GuestImage.load(testVm);
    Files.createDirectories(workDirectory);
    Map<String, Map<String, Double>> results = new LinkedHashMap<>();
    Map<String, String> failures = new LinkedHashMap<>();
    try (ChildProcessLauncher launcher = new ChildProcessLauncher()) {
      for (String label : configurations) {
        Configuration configuration = Configuration.parse(label);
        try {
          results.put(configuration.label(), measure(configuration, image, launcher));
        } catch (Exception e) {
          log.error("configuration {} failed", configuration.label(), e);
          failures.put(configuration.label(), String.valueOf(e.getMessage()));
        }
      }
    }
    String table = ResultTable.render(results);
    System.out.println();
    System.out.print(table);
    failures.forEach((c, why) -> System.out.println("FAILED " + c + ": " + why));
    writeResults(results, failures, table);
    return failures.isEmpty() ? 0 : 1;
  }

  private Map<String, Double> measure(
      Configuration configuration, GuestImage image, ChildProcessLauncher launcher)
      throws Exception {
    Path directory = workDirectory.resolve(configuration.label());
    log.info("=== {}: booting the test VM (workload {})", configuration.label(), workload);
    try (BenchTarget target = open(configuration, directory, image, launcher)) {
      double ready = target.awaitGuestReady(GUEST_READY_TIMEOUT);
      HostCpuPinning pinning = new HostCpuPinning(pinHosts);
      if (pinning.isEnabled()) {
        pinning.apply(target.processesByHost());
      }
      log.info(
          "{}: guest ready after {} s; client runs {} s echo + {} s kv",
          configuration.label(),
          String.format("%.1f", ready),
          phaseSeconds,
          phaseSeconds);
      ScheduledExecutorService sampler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread thread = new Thread(r, "bench-sampler");
                thread.setDaemon(true);
                return thread;
              });
      if (warmupSeconds > 0) {
        log.info(
            "{}: {} s echo + {} s kv unmeasured warm-up",
            configuration.label(),
            warmupSeconds,
            warmupSeconds);
        runClient(target, directory, launcher, "warmup", warmupSeconds, 0, 0);
      }
      JsonNode client;
      ThreadCpuReport threads = ThreadCpuReport.begin(target.processesByHost());
      try {
        sampler.scheduleAtFixedRate(
            () -> target.sample(System.currentTimeMillis()),
            0,
            SAMPLE_INTERVAL.toMillis(),
            TimeUnit.MILLISECONDS);
        client =
            runClient(target, directory, launcher, "client", phaseSeconds, cpuSeconds, diskSeconds);
      } finally {
        sampler.shutdownNow();
        sampler.awaitTermination(10, TimeUnit.SECONDS);
      }
      String threadReport = threads.end();
      Files.writeString(directory.resolve("threads.txt"), threadReport);
      log.info("{}: CPU by thread over the client's run\n{}", configuration.label(), threadReport);
      Map<String, Double> figures = new LinkedHashMap<>();
      figures.put("bootToReadySeconds", ready);
      for (Iterator<Map.Entry<String, JsonNode>> it = client.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (field.getValue().isNumber() && !field.getKey().endsWith("EpochMillis")) {
          figures.put(field.getKey(), field.getValue().asDouble());
        }
      }
      figures.putAll(
          target.summarize(
              new MeasuredWindow(
                  client.path("windowStartEpochMillis").asLong(),
                  client.path("kvStartEpochMillis").asLong(),
                  client.path("windowEndEpochMillis").asLong())));
      log.info("{}: {}", configuration.label(), figures);
      return figures;
    }
  }

  private BenchTarget open(
      Configuration configuration, Path directory, GuestImage image, ChildProcessLauncher launcher)
      throws Exception {
    return switch (configuration) {
      case PLAIN, ICOUNT, RECORD ->
          SingleVmTarget.start(
              directory, image, workload, qemu, new QemuDriver(launcher), configuration);
      case FT ->
          ProtectedPairTarget.start(
              directory,
              image,
              workload,
              qemu,
              Duration.ofMillis(detectionTimeoutMillis),
              launcher);
    };
  }

  /** Runs {@link GuestLoadClient} on the client host and returns its JSON result. */
  /** Runs {@link GuestLoadClient} in the client host; its output goes to {@code <name>.out}. */
  private JsonNode runClient(
      BenchTarget target,
      Path directory,
      ChildProcessLauncher launcher,
      String name,
      long phaseSeconds,
      long cpuSeconds,
      long diskSeconds)
      throws IOException, InterruptedException {
    List<String> java =
        new ArrayList<>(
            List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                GuestLoadClient.class.getName(),
                target.topology().guestAddress().address(),
                Long.toString(phaseSeconds),
                Long.toString(phaseSeconds),
                Integer.toString(kvDepth),
                Integer.toString(CLIENT_CONNECT_TIMEOUT_SECONDS),
                Long.toString(cpuSeconds),
                Long.toString(diskSeconds)));
    Path output = directory.resolve(name + ".out");
    Path errors = directory.resolve(name + ".err");
    Process client =
        launcher.start(
            new ProcessBuilder(target.topology().commandIn(HostRole.CLIENT, java))
                .redirectOutput(output.toFile())
                .redirectError(errors.toFile()));
    long limit =
        2 * phaseSeconds + cpuSeconds + 4 * diskSeconds + CLIENT_CONNECT_TIMEOUT_SECONDS + 120;
    if (!client.waitFor(limit, TimeUnit.SECONDS)) {
      client.destroyForcibly().waitFor();
      throw new IOException("client did not finish within " + limit + " s (see " + errors + ")");
    }
    List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
    if (client.exitValue() != 0 || lines.isEmpty()) {
      throw new IOException(
          "client exited with "
              + client.exitValue()
              + ": "
              + Files.readString(errors, StandardCharsets.UTF_8).strip());
    }
    return new ObjectMapper().readTree(lines.get(lines.size() - 1));
  }

  private void writeResults(
      Map<String, Map<String, Double>> results, Map<String, String> failures, String table)
      throws IOException {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("finished", Instant.now().toString());
    document.put("qemu", qemu.toString());
    document.put("testVm", testVm.toString());
    document.put("workload", workload);
    document.put("phaseSeconds", phaseSeconds);
    document.put("kvDepth", kvDepth);
    document.put("cpuSeconds", cpuSeconds);
    document.put("warmupSeconds", warmupSeconds);
    document.put("diskSecondsPerOp", diskSeconds);
    document.put("pinHosts", new HostCpuPinning(pinHosts).describe());
    document.put("results", results);
    document.put("failures", failures);
    Path json = workDirectory.resolve("results.json");
    new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(json.toFile(), document);
    Files.writeString(workDirectory.resolve("results.txt"), table);
    log.info("results written to {}", json);
  }
}
