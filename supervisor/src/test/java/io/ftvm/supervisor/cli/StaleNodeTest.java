package io.ftvm.supervisor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.supervisor.pair.EpochRunRecord;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A node whose daemon already ran the config's epoch must never start again in it (its VM state
 * died with its QEMU): with {@code --if-stale exit}, what the systemd unit passes, the daemon
 * refuses with status 3 before it touches QEMU, the TAP or the channel.
 */
class StaleNodeTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path config;
  private Path stateDir;

  @BeforeEach
  void pairOnSharedDirectory() throws Exception {
    Path vmDir = Files.createDirectories(dir.resolve("vm"));
    Files.write(vmDir.resolve("disk.img"), new byte[4096]);
    Files.write(vmDir.resolve("vmlinuz"), new byte[16]);
    Path vm = vmDir.resolve("vm.json");
    Files.writeString(
        vm,
        """
        {"format": 2, "name": "web", "memoryMiB": 256,
         "boot": {"from": "kernel", "kernel": "vmlinuz", "cmdline": "console=ttyS0"},
         "disks": [{"file": "disk.img"}],
         "nics": [{"mac": "52:54:00:12:34:56"}]}
        """);
    Path shared = Files.createDirectories(dir.resolve("shared"));
    stateDir = dir.resolve("state");
    Path output = dir.resolve("etc");
    assertThat(
            run(
                "init",
                "--vm-id",
                "web",
                "--vm",
                vm.toString(),
                "--node",
                "a=10.0.0.1",
                "--node",
                "b=10.0.0.2",
                "--shared-dir",
                shared.toString(),
                "--qemu",
                "/opt/ftvm/qemu-system-x86_64",
                "--install-dir",
                output.toString(),
                "--host-state-dir",
                stateDir.toString(),
                "-o",
                output.toString()))
        .as(err.toString())
        .isZero();
    assertThat(run("lock", "init", shared.toString())).as(err.toString()).isZero();
    config = output.resolve("pair.json");
  }

  private int run(String... args) {
    CommandLine commandLine = FtvmCommand.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    return commandLine.execute(args);
  }

  @Test
  void aNodeThatAlreadyRanTheEpochExitsWithStatus3() throws Exception {
    Files.createDirectories(stateDir);
    EpochRunRecord.record(stateDir, 1);

    int status = run("start", "--config", config.toString(), "--node", "a", "--if-stale", "exit");

    assertThat(status).isEqualTo(DaemonCommand.STALE_EXIT);
    assertThat(stateDir.resolve("control.sock")).doesNotExist();
    assertThat(stateDir.resolve("role")).doesNotExist();
  }

  @Test
  void theRunRecordKeepsTheLatestEpochAndRefusesGarbage() throws Exception {
    Files.createDirectories(stateDir);
    assertThat(EpochRunRecord.lastRan(stateDir)).isZero();
    EpochRunRecord.record(stateDir, 1);
    EpochRunRecord.record(stateDir, 4);
    assertThat(EpochRunRecord.lastRan(stateDir)).isEqualTo(4);

    Files.writeString(stateDir.resolve("ran-epoch"), "four\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> EpochRunRecord.lastRan(stateDir))
        .hasMessageContaining("not an epoch number");
  }
}
