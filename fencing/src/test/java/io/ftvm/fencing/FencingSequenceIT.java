package io.ftvm.fencing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole sequence against a real process standing in for QEMU and a real hook. */
class FencingSequenceIT {
  private static final Logger log = LoggerFactory.getLogger(FencingSequenceIT.class);
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    started.forEach(Process::destroyForcibly);
  }

  @Test
  void gateClosesBeforeTheVmDiesAndEverythingFitsTheBound() throws Exception {
    Process qemu = new ProcessBuilder("sleep", "60").start();
    started.add(qemu);
    AtomicBoolean vmAliveWhenGateClosed = new AtomicBoolean();
    OutputGate gate =
        new OutputGate() {
          private volatile boolean closed;

          @Override
          public void close() {
            vmAliveWhenGateClosed.set(qemu.isAlive());
            closed = true;
          }

          @Override
          public boolean isClosed() {
            return closed;
          }
        };
    List<String> halts = new ArrayList<>();
    FencingSequence sequence =
        FencingSequence.builder(Duration.ofSeconds(3))
            .externalHook(
                new ExternalCommandFencer(
                    "notify-hook", List.of("sh", "-c", "exit 0"), Duration.ofSeconds(2)))
            .killProcess(ProcessIdentity.of(qemu.toHandle()), Duration.ofSeconds(2))
            .closeOutput(gate)
            .selfFenceOnFailure(halts::add)
            .build();

    FenceReport report =
        sequence.fence(new FenceRequest("web-1", 1, "host-a", "host-b", "lost go-live"));

    log.info("full fencing sequence: {}", report.summary());
    assertThat(vmAliveWhenGateClosed).isTrue();
    assertThat(ProcStat.read(qemu.pid()).map(ProcStat::hasExited).orElse(true)).isTrue();
    assertThat(qemu.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat(report.succeeded()).isTrue();
    assertThat(report.boundMet()).isTrue();
    assertThat(halts).isEmpty();
  }
}
