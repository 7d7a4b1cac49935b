package io.ftvm.replay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A recorded run as one {@code .ftlog} zip: {@code manifest.json}, {@code replay.bin} (the QEMU
 * replay log) and {@code console.log} (what the guest printed while recording). {@code ftvm replay}
 * replays {@code replay.bin} and compares the console with {@link ConsoleDiff}.
 */
public final class RunBundle {
  public static final int FORMAT_VERSION = 1;
  public static final String MANIFEST_ENTRY = "manifest.json";
  public static final String REPLAY_LOG_ENTRY = "replay.bin";
  public static final String CONSOLE_ENTRY = "console.log";

  private final Path file;
  private final BundleManifest manifest;

  private RunBundle(Path file, BundleManifest manifest) {
    this.file = file;
    this.manifest = manifest;
  }

  private static ObjectMapper mapper() {
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  }

  /**
   * Writes a bundle atomically (temp file + rename). The replay log is validated first, and its
   * header version must match the manifest, so a bundle never carries a log it cannot replay.
   */
  public static RunBundle write(
      Path target, BundleManifest manifest, Path replayLog, Path consoleLog) throws IOException {
    if (manifest.formatVersion() != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          "manifest format version " + manifest.formatVersion() + ", writer is " + FORMAT_VERSION);
    }
    LogStats stats = new ReplayLogValidator().validate(replayLog);
    if (stats.headerVersion() != manifest.replayLogVersion()) {
      throw new IllegalArgumentException(
          String.format(
              "manifest says replay log version 0x%x but %s has 0x%x",
              manifest.replayLogVersion(), replayLog, stats.headerVersion()));
    }
    Path absolute = target.toAbsolutePath();
    Path tmp =
        Files.createTempFile(absolute.getParent(), absolute.getFileName().toString(), ".tmp");
    try {
      try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
        zip.putNextEntry(new ZipEntry(MANIFEST_ENTRY));
        zip.write(mapper().writeValueAsBytes(manifest));
        zip.closeEntry();
        copyEntry(zip, REPLAY_LOG_ENTRY, replayLog);
        copyEntry(zip, CONSOLE_ENTRY, consoleLog);
      }
      Files.move(
          tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return new RunBundle(absolute, manifest);
  }

  private static void copyEntry(ZipOutputStream zip, String name, Path source) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    Files.copy(source, zip);
    zip.closeEntry();
  }

  /** Opens a bundle and checks that it is one: zip, all three entries, known format version. */
  public static RunBundle read(Path file) throws IOException {
    try (ZipFile zip = openZip(file)) {
      for (String entry : new String[] {MANIFEST_ENTRY, REPLAY_LOG_ENTRY, CONSOLE_ENTRY}) {
        if (zip.getEntry(entry) == null) {
          throw new RunBundleException(file + " is not a complete run bundle: missing " + entry);
        }
      }
      BundleManifest manifest;
      try (InputStream in = zip.getInputStream(zip.getEntry(MANIFEST_ENTRY))) {
        manifest = mapper().readValue(in, BundleManifest.class);
      } catch (JsonProcessingException e) {
        throw new RunBundleException(
            file + ": unreadable " + MANIFEST_ENTRY + ": " + e.getOriginalMessage(), e);
      }
      if (manifest.formatVersion() != FORMAT_VERSION) {
        throw new RunBundleException(
            file
                + ": unknown run bundle format version "
                + manifest.formatVersion()
                + " (this ftvm reads version "
                + FORMAT_VERSION
                + ")");
      }
      return new RunBundle(file, manifest);
    }
  }

  private static ZipFile openZip(Path file) throws IOException {
    try {
      return new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new RunBundleException(
          file + " is not a run bundle (not a zip file: " + e.getMessage() + ")", e);
    }
  }

  public Path file() {
    return file;
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** Copies {@code replay.bin} to {@code target} (replaced if present). */
  public void extractReplayLog(Path target) throws IOException {
    try (ZipFile zip = openZip(file);
        InputStream in = zip.getInputStream(zip.getEntry(REPLAY_LOG_ENTRY))) {
      Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Streams {@code replay.bin} to {@code out}. */
  public void copyReplayLog(OutputStream out) throws IOException {
    try (ZipFile zip = openZip(file);
        InputStream in = zip.getInputStream(zip.getEntry(REPLAY_LOG_ENTRY))) {
      in.transferTo(out);
    }
  }

  /** The recorded console output, decoded as UTF-8 (invalid bytes become U+FFFD). */
  public String consoleLog() throws IOException {
    try (ZipFile zip = openZip(file);
        InputStream in = zip.getInputStream(zip.getEntry(CONSOLE_ENTRY))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
