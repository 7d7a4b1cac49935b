package io.ftvm.bench;

import static org.awaitility.Awaitility.await;

import io.ftvm.supervisor.hypervisor.ConsoleSpec;
import io.ftvm.supervisor.hypervisor.HypervisorDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.hypervisor.VmInstance;
import io.ftvm.supervisor.hypervisor.VmLaunchSpec;
import io.ftvm.supervisor.nativeos.TapDevice;
import io.ftvm.supervisor.pair.GuestNetworkPath;
import io.ftvm.supervisor.pair.NetdevConnection;
import io.ftvm.supervisor.topology.HostRole;
import io.ftvm.supervisor.topology.NetnsCommand;
import io.ftvm.supervisor.topology.PairTopology;
import io.ftvm.supervisor.topology.TopologySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The test VM alone on host A, no backup: configuration "plain" (no record/replay at all), "icount"
 * (-icount without a log) or "record" (recording to a regular file, nobody reading it). Its frames
 * take the primary's own path ({@link GuestNetworkPath}: netdev socket, TAP on host A's bridge)
 * with the output gate open, so the only difference to the protected pair is the pair itself.
 *
 * <p>The TAP is opened by this JVM in its own namespace and then moved into host A's; the open
 * descriptor keeps working across the move, so no process has to run inside host A.
 */
final class SingleVmTarget implements BenchTarget {
  private static final Logger log = LoggerFactory.getLogger(SingleVmTarget.class);
  private static final Duration QEMU_STARTUP = Duration.ofSeconds(60);
  private static final String READY_LINE = "FTVM ready";

  private final PairTopology topology;
  private final Path directory;
  private final Configuration configuration;
  private final Path recording;
  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final SampleSeries qemuCpuMillis = new SampleSeries();
  private final SampleSeries recordedBytes = new SampleSeries();
  private final long startedNanos = System.nanoTime();
  private VmInstance vm;

  private SingleVmTarget(PairTopology topology, Path directory, Configuration configuration) {
    this.topology = topology;
    this.directory = directory;
    this.configuration = configuration;
    this.recording = configuration == Configuration.RECORD ? directory.resolve("record.bin") : null;
  }

  /**
   * Creates the hosts, wires a TAP on host A's bridge to the guest's NIC and boots the guest.
   *
   * @param configuration PLAIN: TCG without -icount; ICOUNT: {@code -icount shift=auto,rrlater=on},
   *     no log; RECORD: {@code -icount shift=auto,rr=record} to a regular file in {@code directory}
   */
  static SingleVmTarget start(
      Path directory,
      GuestImage image,
      String workload,
      Path qemu,
      HypervisorDriver driver,
      Configuration configuration)
      throws Exception {
    Files.createDirectories(directory);
    PairTopology topology = PairTopology.create(TopologySpec.defaults(TopologySpec.randomPairId()));
    SingleVmTarget target = new SingleVmTarget(topology, directory, configuration);
    try {
      target.boot(image, workload, qemu, driver);
      return target;
    } catch (Exception | Error e) {
      target.close();
      throw e;
    }
  }

  private void boot(GuestImage image, String workload, Path qemu, HypervisorDriver driver)
      throws Exception {
    TapDevice tap = TapDevice.open("ftvmb%d");
    resources.push(tap);
    new NetnsCommand()
        .runChecked(
            List.of("ip", "link", "set", tap.name(), "netns", topology.hostNamespace(HostRole.A)),
            Duration.ofSeconds(10));
    topology.attachTap(HostRole.A, tap.name());
    NetdevConnection netdev = NetdevConnection.bind(directory.resolve("net.sock"));
    resources.push(netdev);
    Path disk = directory.resolve("disk.img");
    Files.copy(image.pristineDisk(), disk);
    resources.push(() -> Files.deleteIfExists(disk));
    if (recording != null) {
      resources.push(() -> Files.deleteIfExists(recording));
    }
    VmLaunchSpec spec =
        VmLaunchSpec.builder()
            .name("bench-" + configuration.label())
            .qemuBinary(qemu)
            .kernel(image.kernel())
            .initrd(image.initrd())
            .disk(disk)
            .kernelAppend(image.kernelAppend(workload, topology.guestAddress().cidr()))
            .memoryMib(image.memoryMib())
            .mac(topology.guestMac())
            .replay(replaySpec())
            .netdevSocket(netdev.path())
            .console(ConsoleSpec.file(consoleLog()))
            .qmpSocket(directory.resolve("qmp.sock"))
            .qemuLog(directory.resolve("qemu.log"))
            .startupTimeout(QEMU_STARTUP)
            .build();
    vm = driver.launch(spec);
    resources.push(vm);
    netdev.awaitConnected(QEMU_STARTUP);
    GuestNetworkPath network = GuestNetworkPath.ungated(netdev, tap);
    resources.push(network);
    network.start(true);
    log.info(
        "{} guest booting (QEMU pid {}), NIC on {} in {}",
        spec.name(),
        vm.pid(),
        tap.name(),
        topology.hostNamespace(HostRole.A));
  }

  private ReplaySpec replaySpec() {
    return switch (configuration) {
      case PLAIN -> ReplaySpec.none();
      case ICOUNT -> ReplaySpec.protectable();
      case RECORD -> ReplaySpec.record(recording);
      case FT -> throw new IllegalArgumentException("ft is not a single VM");
    };
  }

  private Path consoleLog() {
    return directory.resolve("console.log");
  }

  @Override
  public PairTopology topology() {
    return topology;
  }

  @Override
  public double awaitGuestReady(Duration timeout) {
    await("guest ready line in " + consoleLog())
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .failFast("QEMU exited (see " + directory.resolve("qemu.log") + ")", () -> !vm.isRunning())
        .until(() -> consoleContains(READY_LINE));
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  private boolean consoleContains(String text) throws IOException {
    return Files.exists(consoleLog())
        && Files.readString(consoleLog(), StandardCharsets.ISO_8859_1).contains(text);
  }

  @Override
  public Map<String, List<Long>> processesByHost() {
    return Map.of("a", List.of(vm.pid()));
  }

  @Override
  public void sample(long epochMillis) {
    ProcessCpu.cpuMillis(vm.pid()).ifPresent(ms -> qemuCpuMillis.add(epochMillis, ms));
    if (recording != null) {
      try {
        recordedBytes.add(epochMillis, Files.size(recording));
      } catch (IOException e) {
        log.debug("size of {}: {}", recording, e.getMessage());
      }
    }
  }

  @Override
  public Map<String, Double> summarize(MeasuredWindow window) {
    long startMillis = window.startMillis();
    long endMillis = window.endMillis();
    Map<String, Double> figures = new LinkedHashMap<>();
    qemuCpuMillis
        .ratePerSecond(startMillis, endMillis)
        .ifPresent(r -> figures.put("qemuCpuPercent", r / 10.0));
    if (recording != null) {
      recordedBytes
          .ratePerSecond(startMillis, endMillis)
          .ifPresent(r -> figures.put("logBytesPerSecond", r));
    }
    return figures;
  }

  @Override
  public void close() {
    while (!resources.isEmpty()) {
      AutoCloseable resource = resources.pop();
      try {
        resource.close();
      } catch (Exception e) {
        log.warn("cleanup of {}: {}", directory, e.getMessage());
      }
    }
    topology.close();
  }
}
