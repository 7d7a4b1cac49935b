package io.ftvm.supervisor.follow;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.supervisor.hypervisor.QemuDriver;
import io.ftvm.supervisor.hypervisor.ReplaySpec;
import io.ftvm.supervisor.nativeos.ChildProcessLauncher;
import io.ftvm.supervisor.nativeos.Fifo;
import io.ftvm.supervisor.nativeos.FifoReader;
import io.ftvm.supervisor.pair.LogShipper;
import io.ftvm.supervisor.pair.PrimaryLogPump;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replay-log bytes per second a recording primary produces after boot, per workload (the {@code
 * net} workload with one kv connection per second). A measurement, ~45 s per workload, so it runs
 * only with {@code -Dftvm.measure.logrates=true}.
 */
@EnabledIfSystemProperty(named = "ftvm.measure.logrates", matches = "true")
class LogRateIT {
  private static final Duration BOOT = Duration.ofMinutes(3);
  private static final Duration MEASURE_FOR = Duration.ofSeconds(30);

  /** A sanity bound far above anything measured; a runaway log would break flow control. */
  private static final long MAX_BYTES_PER_SECOND = 1 << 20;

  @ParameterizedTest
  @ValueSource(strings = {"idle", "cpu", "disk", "net"})
  void logRateAfterBoot(String workload) throws Exception {
    Path work = WorkDirectory.create("rate-" + workload);
    try (ChildProcessLauncher launcher = new ChildProcessLauncher();
        GuestLan lan = GuestLan.create("r");
        GuestNode primary = GuestNode.prepare(work, "primary", lan)) {
      Fifo pipe = Fifo.create(work.resolve("primary.rr"));
      InMemoryLogStore store = new InMemoryLogStore();
      try (FifoReader reader = pipe.openForReading();
          PrimaryLogPump pump = new PrimaryLogPump(reader, store, LogShipper.NOBODY)) {
        reader.requestCapacity(1 << 20);
        pump.start();
        primary.launch(new QemuDriver(launcher), ReplaySpec.record(pipe.path()), workload, true);
        ConsoleLines console = primary.console();
        console.awaitLine("ready", l -> l.startsWith("FTVM ready "), 0, BOOT);
        long bootBytes = pump.storedPosition();
        long start = System.nanoTime();
        GuestClient client = new GuestClient(lan);
        long connections = 0;
        while (System.nanoTime() - start < MEASURE_FOR.toNanos()) {
          if (workload.equals("net")) {
            client.kv("PING");
            connections++;
          }
          int seen = console.count();
          console.awaitCount("next line", seen + 1, Duration.ofSeconds(30));
        }
        long elapsed = System.nanoTime() - start;
        long bytes = pump.storedPosition() - bootBytes;
        long perSecond = Math.round(bytes / (elapsed / 1e9));
        new Measurements("log-rate-" + workload)
            .put("workload", workload)
            .put("bootLogBytes", bootBytes)
            .put("measuredMillis", Measurements.millis(elapsed))
            .put("logBytes", bytes)
            .put("logBytesPerSecond", perSecond)
            .put("kvConnections", connections)
            .write();
        assertThat(perSecond).isPositive().isLessThan(MAX_BYTES_PER_SECOND);
      }
    }
    WorkDirectory.delete(work);
  }
}
