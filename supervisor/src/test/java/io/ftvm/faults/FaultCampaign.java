package io.ftvm.faults;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.ftvm.faults.RoundObservation.Bounds;
import io.ftvm.supervisor.pair.ArbiterAttachment;
import io.ftvm.supervisor.pair.PairConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The fault campaign of issue 7 ({@code bench/faults.sh}): N rounds, each a protected pair of the
 * real test VM with a client on one TCP connection, one fault, and a verdict by {@link
 * RoundChecker}. Prints a line per round as it ends, a table per fault type and, last, {@code N
 * passed, M failed}; exits 1 if any round failed. See docs/reliability.md.
 */
@Command(
    name = "fault-campaign",
    mixinStandardHelpOptions = true,
    description = "Injects one fault per round into a protected pair and checks the invariants.")
public final class FaultCampaign implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(FaultCampaign.class);

  @Option(names = "--rounds", required = true, description = "Number of rounds.")
  int rounds;

  @Option(
      names = "--faults",
      defaultValue = "all",
      description =
          "Comma-separated faults (default all): none, kill-primary-qemu, kill-primary-daemon,"
              + " kill-host-a, kill-host-b, stop-primary, stop-backup, link-down,"
              + " storage-unusable, planned-failover, cpu-starved; with --arbiter zookeeper also"
              + " kill-zk-leader-host-a (\"all\" includes it only then).")
  String faults;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the fault order. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(names = "--qemu", required = true, description = "The patched qemu-system-x86_64.")
  Path qemu;

  @Option(names = "--test-vm", required = true, description = "Directory from test-vms/build.sh.")
  Path testVm;

  @Option(names = "--work-dir", required = true, description = "One directory per round in here.")
  Path workDirectory;

  @Option(
      names = "--workload",
      defaultValue = "all",
      description = "Guest workload. Default: ${DEFAULT-VALUE}.")
  String workload;

  @Option(
      names = "--detection-timeout-ms",
      defaultValue = "" + PairConfig.Timing.DEFAULT_DETECTION_TIMEOUT_MILLIS,
      description =
          "The pair's failure detection timeout. Default: the product's, ${DEFAULT-VALUE}.")
  long detectionTimeoutMillis;

  @Option(
      names = "--live-bound-ms",
      defaultValue = "5000",
      description =
          "A node must be live this long after the fault (after storage is back for"
              + " storage-unusable). Default: ${DEFAULT-VALUE}.")
  long liveBoundMillis;

  @Option(
      names = "--loser-bound-ms",
      defaultValue = "3000",
      description =
          "The loser's QEMU must be dead this long after the later of go-live and the fault's"
              + " end. Default: ${DEFAULT-VALUE}.")
  long loserBoundMillis;

  @Option(
      names = "--lines-after",
      defaultValue = "200",
      description =
          "Counter lines (200/s) the client must receive after the outcome. Default:"
              + " ${DEFAULT-VALUE}.")
  int linesAfter;

  @Option(
      names = "--vm-lock",
      defaultValue = "/tmp/ftvm-vm.lock",
      description =
          "flock(1) file held during each round (one VM experiment at a time on this machine);"
              + " 'none' for no lock. Default: ${DEFAULT-VALUE}.")
  String vmLock;

  @Option(
      names = "--arbiter",
      defaultValue = "shared-directory",
      description =
          "Go-live arbiter of every round's pair: shared-directory (a local directory) or"
              + " zookeeper (a 3-member ensemble from Debian's zookeeper, started once for the"
              + " campaign, members in network namespaces). Default: ${DEFAULT-VALUE}.")
  String arbiter;

  @Option(
      names = "--pair-supply",
      defaultValue = "fresh",
      description =
          "fresh: a new pair per round; reprotect: one long-lived pair for the whole campaign,"
              + " after a failover the other node rejoins empty and the survivor must be"
              + " protected again at the next epoch within --reprotect-bound-s (else the round"
              + " fails and the next round gets a fresh pair). Faults act on the current roles:"
              + " kill-host-a kills the primary's host, kill-host-b the backup's. The VM lock is"
              + " then held for the whole campaign (the pair runs between rounds)."
              + " Default: ${DEFAULT-VALUE}.")
  String pairSupply;

  @Option(
      names = "--reprotect-bound-s",
      defaultValue = "180",
      description =
          "With --pair-supply reprotect: rejoin to protected within the replay bound at most this"
              + " long. Default: ${DEFAULT-VALUE}.")
  long reprotectBoundSeconds;

  public static void main(String[] args) {
    // The last --qemu/--test-vm wins: bench/faults.sh passes setup.sh's first, a user's second.
    System.exit(
        new CommandLine(new FaultCampaign()).setOverwrittenOptionsAllowed(true).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (!List.of("fresh", "reprotect").contains(pairSupply)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--pair-supply must be fresh or reprotect");
    }
    if (!List.of("shared-directory", "zookeeper").contains(arbiter)) {
      throw new CommandLine.ParameterException(
          new CommandLine(this), "--arbiter must be shared-directory or zookeeper");
    }
    boolean onZooKeeper = arbiter.equals("zookeeper");
    List<CampaignFault> selected = CampaignFault.parseList(faults);
    if (!onZooKeeper) {
      if (faults.trim().equals("all")) {
        selected = selected.stream().filter(f -> !f.needsZooKeeper()).toList();
      } else if (selected.stream().anyMatch(CampaignFault::needsZooKeeper)) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "a ZooKeeper fault needs --arbiter zookeeper");
      }
    }
    Files.createDirectories(workDirectory);
    if (!onZooKeeper) {
      return run(selected, Optional.empty());
    }
    try (CampaignZooKeeper zooKeeper = CampaignZooKeeper.start(workDirectory)) {
      return run(selected, Optional.of(zooKeeper));
    }
  }

  private int run(List<CampaignFault> selected, Optional<CampaignZooKeeper> zooKeeper)
      throws Exception {
    List<CampaignFault> order = FaultSchedule.order(selected, rounds, seed);
    Duration detection = Duration.ofMillis(detectionTimeoutMillis);
    Bounds bounds = new Bounds(liveBoundMillis, loserBoundMillis, linesAfter);
    ArbiterAttachment attachment =
        zooKeeper.map(CampaignZooKeeper::attachment).orElse(ArbiterAttachment.sharedDirectory());
    boolean longLived = pairSupply.equals("reprotect");
    Path lockFile = vmLock.equals("none") ? null : Path.of(vmLock);
    // A long-lived pair runs between rounds too: the lock is held for the whole campaign (taken
    // first, so it is released only after the pair is gone).
    try (VmLock campaignLock = VmLock.acquire(longLived ? lockFile : null);
        PairSupply supply =
            longLived
                ? new ReprotectingPair(
                    workload,
                    detection,
                    qemu,
                    testVm,
                    attachment,
                    workDirectory,
                    Duration.ofSeconds(reprotectBoundSeconds))
                : new PairSupply.FreshPairPerRound(workload, detection, qemu, testVm, attachment)) {
      RoundRunner runner = new RoundRunner(supply, detection, bounds, zooKeeper);
      return runRounds(order, selected, runner, longLived ? null : lockFile, zooKeeper, longLived);
    }
  }

  private int runRounds(
      List<CampaignFault> order,
      List<CampaignFault> selected,
      RoundRunner runner,
      Path roundLockFile,
      Optional<CampaignZooKeeper> zooKeeper,
      boolean longLived)
      throws Exception {
    RoundChecker checker = new RoundChecker();
    CampaignReport report = new CampaignReport();
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    List<Map<String, Object>> summary = new ArrayList<>();
    System.out.printf(
        "fault campaign: %d rounds, seed %d, pair supply %s, arbiter %s, workload %s, detection"
            + " %d ms, live bound %d ms, loser bound %d ms; work dir %s%n",
        rounds,
        seed,
        pairSupply,
        arbiter,
        workload,
        detectionTimeoutMillis,
        liveBoundMillis,
        loserBoundMillis,
        workDirectory);
    for (int i = 0; i < order.size(); i++) {
      CampaignFault fault = order.get(i);
      Path roundDirectory =
          workDirectory.resolve(String.format(Locale.ROOT, "r%03d-%s", i + 1, fault.cliName()));
      long started;
      RoundObservation observation;
      if (zooKeeper.isPresent()) {
        zooKeeper.get().heal(); // members a previous round killed come back first
      }
      try (VmLock lock = VmLock.acquire(roundLockFile)) {
        started = System.currentTimeMillis();
        log.info("=== round {}/{}: {}", i + 1, order.size(), fault.cliName());
        observation = runner.run(fault, roundDirectory);
      }
      long roundMillis = System.currentTimeMillis() - started;
      RoundVerdict verdict = checker.check(observation);
      json.writeValue(roundDirectory.resolve("observation.json").toFile(), observation);
      json.writeValue(roundDirectory.resolve("verdict.json").toFile(), verdict);
      if (verdict.passed()) {
        removeBulk(roundDirectory);
      }
      long reprotectMillis =
          observation.reprotection() == null
              ? -1
              : observation.reprotection().rejoinToProtectedMillis();
      report.add(
          new CampaignReport.RoundResult(
              fault.cliName(),
              verdict.passed(),
              verdict.faultToLiveMillis(),
              roundMillis,
              reprotectMillis));
      System.out.println(
          line(i + 1, order.size(), fault, verdict, roundMillis, reprotectMillis, roundDirectory));
      System.out.flush();
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("round", i + 1);
      row.put("fault", fault.cliName());
      row.put("passed", verdict.passed());
      row.put("survivor", verdict.survivor());
      row.put("faultToLiveMillis", verdict.faultToLiveMillis());
      row.put("roundMillis", roundMillis);
      row.put("reprotection", observation.reprotection());
      row.put("failures", verdict.failures());
      row.put("directory", roundDirectory.toString());
      summary.add(row);
      json.writeValue(workDirectory.resolve("results.json").toFile(), summary);
    }
    String table = report.render(selected.stream().map(CampaignFault::cliName).toList(), longLived);
    Files.writeString(workDirectory.resolve("results.txt"), table);
    System.out.println();
    System.out.print(table);
    return report.failed() == 0 ? 0 : 1;
  }

  static String line(
      int round,
      int of,
      CampaignFault fault,
      RoundVerdict verdict,
      long roundMillis,
      long reprotectMillis,
      Path directory) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "round %3d/%d %-19s %s  live=%s  fault->live %s  round %.0f s",
                round,
                of,
                fault.cliName(),
                verdict.passed() ? "PASS" : "FAIL",
                verdict.survivor() == null ? "-" : verdict.survivor(),
                verdict.faultToLiveMillis() < 0 ? "-" : verdict.faultToLiveMillis() + " ms",
                roundMillis / 1000.0));
    if (reprotectMillis >= 0) {
      line.append(String.format(Locale.ROOT, "  rejoin->protected %d ms", reprotectMillis));
    }
    if (!verdict.passed()) {
      line.append("  reason: ").append(String.join(" | ", verdict.failures()));
      line.append("  kept: ").append(directory);
    } else {
      line.append("  logs: ").append(directory);
    }
    return line.toString();
  }

  /** A passed round keeps its logs and consoles but not its log stores (disks are gone already). */
  private static void removeBulk(Path roundDirectory) throws IOException {
    try (Stream<Path> paths = Files.walk(roundDirectory)) {
      List<Path> stores =
          paths
              .filter(p -> p.getFileName().toString().startsWith("log-epoch-"))
              .filter(Files::isDirectory)
              .toList();
      for (Path store : stores) {
        try (Stream<Path> inside = Files.walk(store)) {
          inside.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
