package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class FtvmCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "record",
        "replay",
        "log",
        "log inspect",
        "start",
        "status",
        "failover",
        "stop",
        "version"
      })
  void everyVerbHasHelpWithADescription(String verb) {
    String[] args = (verb + " --help").split(" ");

    int exit = run(args);

    assertThat(exit).isZero();
    assertThat(out.toString()).contains("Usage: ftvm " + verb).contains("-h, --help");
    String afterUsage = out.toString().substring(out.toString().indexOf('\n'));
    assertThat(afterUsage.lines().filter(l -> !l.isBlank()).count()).isGreaterThan(2);
  }

  @Test
  void rejectsAnUnknownWorkloadNamingTheChoices() {
    int exit = run("record", "--workload", "gpu");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString())
        .contains("--workload")
        .contains("gpu")
        .contains("idle, cpu, disk, net, all");
  }

  @Test
  void rejectsAMalformedDetectionTimeout() {
    int exit = run("start", "--pair", "--detection-timeout", "soon");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("'soon' is not a duration");
  }

  @Test
  void aZooKeeperPairNeedsTheSwitchItsMembersAreOn() {
    int exit = run("start", "--pair", "--zookeeper", "10.88.0.11:2181");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--zookeeper and --zookeeper-switch go together");
  }

  @Test
  void aReadinessProbeIsOneProbeAndAValidOne() {
    assertThat(run("start", "--pair", "--ready-port", "5432", "--ready-console", "login:"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--ready-port and --ready-console exclude each other");

    assertThat(run("start", "--pair", "--ready-port", "70000"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("readiness TCP port 70000 is not in 1..65535");

    assertThat(run("start", "--pair", "--ready-console", "("))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("is not a regular expression");

    assertThat(run("start", "--config", "/etc/ftvm/pair.json", "--node", "a", "--ready-port", "22"))
        .isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--ready-port only applies with --pair");
  }

  @Test
  void rejectsAMalformedZooKeeperConnectString() {
    int exit = run("start", "--pair", "--zookeeper", "zk1", "--zookeeper-switch", "sw");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("--zookeeper: arbiter connect 'zk1'").contains("host:port");
  }

  @Test
  void withoutAVerbExplainsWhatIsMissing() {
    int exit = run();

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("missing command");
  }

  @Test
  void verboseBeforeOrAfterTheVerbRaisesLoggingToDebug() {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.classic.Level before = root.getLevel();
    try {
      root.setLevel(ch.qos.logback.classic.Level.INFO);
      String noPair = "/nonexistent/ftvm-state";
      assertThat(run("status", "--state-dir", noPair)).isEqualTo(CliErrors.FAILURE);
      assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);

      assertThat(run("-v", "status", "--state-dir", noPair)).isEqualTo(CliErrors.FAILURE);
      assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);

      root.setLevel(ch.qos.logback.classic.Level.INFO);
      assertThat(run("log", "inspect", "/nonexistent/x", "-v")).isEqualTo(ExitStatus.BAD_INPUT);
      assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);
    } finally {
      root.setLevel(before);
    }
  }

  @Test
  void durationConverterUnderstandsShortAndIsoForms() {
    DurationConverter converter = new DurationConverter();

    assertThat(converter.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(converter.convert("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(converter.convert("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(converter.convert("PT0.25S")).isEqualTo(Duration.ofMillis(250));
  }
}
