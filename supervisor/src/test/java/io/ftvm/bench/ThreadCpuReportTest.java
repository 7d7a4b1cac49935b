package io.ftvm.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class ThreadCpuReportTest {

  @Test
  void namesTheThreadThatUsedTheCpu() throws InterruptedException {
    long self = ProcessHandle.current().pid();
    ThreadCpuReport report = ThreadCpuReport.begin(Map.of("a", List.of(self)));
    CountDownLatch spun = new CountDownLatch(1);
    CountDownLatch reported = new CountDownLatch(1);
    // The spinner stays alive until the report is taken: an exited thread is no longer listed.
    Thread spinner =
        new Thread(
            () -> {
              long until = System.nanoTime() + 300_000_000L;
              while (System.nanoTime() < until) {
                Thread.onSpinWait();
              }
              spun.countDown();
              try {
                reported.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "bench-spinner");
    spinner.start();
    String text;
    try {
      spun.await();
      text = report.end();
    } finally {
      reported.countDown();
      spinner.join();
    }

    assertThat(text).contains("host a (pids [" + self + "])");
    String spinnerLine =
        text.lines().filter(l -> l.contains("bench-spinner")).findFirst().orElseThrow();
    double cpu = Double.parseDouble(spinnerLine.replaceAll(".*cpu +([0-9.]+) %.*", "$1"));
    assertThat(cpu).isGreaterThan(20.0);
  }

  @Test
  void aProcessThatIsGoneContributesNothing() {
    ThreadCpuReport report = ThreadCpuReport.begin(Map.of("b", List.of(Long.MAX_VALUE)));

    assertThat(report.end()).contains("host b").contains("CPU 0.0 %");
  }
}
