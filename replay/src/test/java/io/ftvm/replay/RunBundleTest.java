package io.ftvm.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunBundleTest {
  @TempDir Path dir;
  private Path replayLog;
  private Path console;
  private byte[] logBytes;

  @BeforeEach
  void files() throws Exception {
    logBytes = ReplayLogBuilder.everyKind().bytes();
    replayLog = Files.write(dir.resolve("replay.bin"), logBytes);
    console = Files.writeString(dir.resolve("console.log"), "Linux version 6.1\r\nhello\r\n");
  }

  private static BundleManifest manifest(int formatVersion, long logVersion) {
    return new BundleManifest(
        formatVersion,
        "0.1.0",
        "10.0.13",
        logVersion,
        new VmConfig("aa11", "bb22", null, "console=ttyS0", List.of("-m", "128"), "counter"),
        null,
        null,
        4.0,
        123456,
        "2026-11-22T04:00:00Z");
  }

  @Test
  void writesAndReadsBack() throws Exception {
    Path file = dir.resolve("run.ftlog");
    BundleManifest manifest = manifest(RunBundle.FORMAT_VERSION, ReplayLogFormat.REPLAY_VERSION);

    RunBundle.write(file, manifest, replayLog, console);
    RunBundle bundle = RunBundle.read(file);

    assertThat(bundle.manifest()).isEqualTo(manifest);
    assertThat(bundle.consoleLog()).isEqualTo("Linux version 6.1\r\nhello\r\n");
    Path extracted = dir.resolve("out.bin");
    bundle.extractReplayLog(extracted);
    assertThat(Files.readAllBytes(extracted)).isEqualTo(logBytes);
    assertThat(Files.list(dir).filter(p -> p.toString().endsWith(".tmp"))).isEmpty();
  }

  @Test
  void refusesToBundleALogWhoseVersionDisagreesWithTheManifest() {
    assertThatThrownBy(
            () ->
                RunBundle.write(dir.resolve("x.ftlog"), manifest(1, 0xe0200b), replayLog, console))
        .hasMessageContaining("manifest says replay log version 0xe0200b");
  }

  @Test
  void rejectsNonBundle() throws Exception {
    Path notZip = Files.writeString(dir.resolve("bogus.ftlog"), "hello");
    assertThatThrownBy(() -> RunBundle.read(notZip))
        .isInstanceOf(RunBundleException.class)
        .hasMessageContaining("is not a run bundle (not a zip file");
  }

  @Test
  void rejectsMissingEntry() throws Exception {
    Path file = dir.resolve("partial.ftlog");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry(RunBundle.MANIFEST_ENTRY));
      zip.write("{\"formatVersion\":1}".getBytes(StandardCharsets.UTF_8));
      zip.closeEntry();
      zip.putNextEntry(new ZipEntry(RunBundle.REPLAY_LOG_ENTRY));
      zip.closeEntry();
    }
    assertThatThrownBy(() -> RunBundle.read(file))
        .isInstanceOf(RunBundleException.class)
        .hasMessageEndingWith("is not a complete run bundle: missing console.log");
  }

  @Test
  void rejectsUnknownFormatVersion() throws Exception {
    Path file = dir.resolve("future.ftlog");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (String name :
          List.of(RunBundle.MANIFEST_ENTRY, RunBundle.REPLAY_LOG_ENTRY, RunBundle.CONSOLE_ENTRY)) {
        zip.putNextEntry(new ZipEntry(name));
        if (name.equals(RunBundle.MANIFEST_ENTRY)) {
          zip.write("{\"formatVersion\":7,\"newField\":true}".getBytes(StandardCharsets.UTF_8));
        }
        zip.closeEntry();
      }
    }
    assertThatThrownBy(() -> RunBundle.read(file))
        .hasMessageEndingWith("unknown run bundle format version 7 (this ftvm reads version 1)");
  }

  @Test
  void rejectsUnreadableManifest() throws Exception {
    Path file = dir.resolve("garbled.ftlog");
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (String name :
          List.of(RunBundle.MANIFEST_ENTRY, RunBundle.REPLAY_LOG_ENTRY, RunBundle.CONSOLE_ENTRY)) {
        zip.putNextEntry(new ZipEntry(name));
        if (name.equals(RunBundle.MANIFEST_ENTRY)) {
          zip.write("{not json".getBytes(StandardCharsets.UTF_8));
        }
        zip.closeEntry();
      }
    }
    assertThatThrownBy(() -> RunBundle.read(file)).hasMessageContaining("unreadable manifest.json");
  }
}
