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
        "record --vm test-vm --workload net --seconds 5 --out /tmp/x.ftlog --qemu /bin/true",
        "replay /tmp/x.ftlog --qemu /bin/true",
        "log inspect /tmp/x.ftlog",
        "start --pair --config /etc/ftvm/pair.json --vm test-vm --workload all --state-dir /tmp/s"
            + " --detection-timeout 300ms --shared-dir /mnt/shared",
        "status --state-dir /tmp/s",
        "failover --state-dir /tmp/s",
        "stop --state-dir /tmp/s"
      })
  void unfinishedVerbsParseTheirOptionsAndSayNotImplemented(String line) {
    int exit = run(line.split(" "));

    assertThat(exit).isEqualTo(NotImplementedYet.EXIT_CODE);
    String verb = line.startsWith("log") ? "log inspect" : line.split(" ")[0];
    assertThat(err.toString()).isEqualTo("ftvm " + verb + ": not implemented yet\n");
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
    int exit = run("start", "--detection-timeout", "soon");

    assertThat(exit).isEqualTo(CommandLine.ExitCode.USAGE);
    assertThat(err.toString()).contains("'soon' is not a duration");
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
      assertThat(run("status")).isEqualTo(NotImplementedYet.EXIT_CODE);
      assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);

      assertThat(run("-v", "status")).isEqualTo(NotImplementedYet.EXIT_CODE);
      assertThat(root.getLevel()).isEqualTo(ch.qos.logback.classic.Level.DEBUG);

      root.setLevel(ch.qos.logback.classic.Level.INFO);
      assertThat(run("log", "inspect", "/tmp/x", "-v")).isEqualTo(NotImplementedYet.EXIT_CODE);
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
