package io.ftvm.supervisor.nativeos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs the TAP in a throwaway network namespace so the host's network is never touched. */
class TapDeviceIT {
  private String namespace;
  private Process probe;

  @BeforeEach
  void createNamespace() throws Exception {
    namespace = "ftvm-test-" + UUID.randomUUID().toString().substring(0, 8);
    run("ip", "netns", "add", namespace);
  }

  @AfterEach
  void deleteNamespace() throws Exception {
    if (probe != null) {
      probe.destroyForcibly();
      probe.waitFor(10, TimeUnit.SECONDS);
    }
    run("ip", "netns", "delete", namespace);
  }

  @Test
  void readsAFrameTheKernelSendsAndInjectsOneItBelieves() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    probe =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                namespace,
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                TapProbeMain.class.getName())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    Map<String, String> report = new HashMap<>();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while (!report.containsKey("arpReplyWritten") && (line = out.readLine()) != null) {
      String[] pair = line.split("=", 2);
      report.put(pair[0], pair[1]);
    }

    assertThat(report.get("name")).startsWith("ftvmtest");
    assertThat(Integer.parseInt(report.get("arpRequestLength"))).isGreaterThanOrEqualTo(42);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                output("ip", "-n", namespace, "neigh", "show", TapProbeMain.PEER_IP)
                    .contains("lladdr " + TapProbeMain.PEER_MAC));
  }

  @Test
  void refusesAnOverlongName() {
    assertThatThrownBy(() -> TapDevice.open("a-name-that-is-too-long"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a-name-that-is-too-long'")
        .hasMessageContaining("1 to 15");
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor();
    return output;
  }
}
