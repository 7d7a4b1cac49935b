package io.ftvm.supervisor.recording;

import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.LogStats;
import io.ftvm.replay.ParserOptions;
import io.ftvm.replay.ReplayLogException;
import io.ftvm.replay.ReplayLogValidator;
import io.ftvm.replay.RunBundle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code ftvm log inspect}: validates a raw replay log or a run bundle's log and renders what it
 * holds; for a bundle the manifest is summarised first. A raw log whose recorder is still running
 * (header not yet finalized) is accepted and flagged, since inspecting a live recording is useful.
 */
public final class LogInspector {
  private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

  /** Rendered report. */
  public String inspect(Path file) throws BadInputException {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + " does not exist or is not a file");
    }
    return isZip(file) ? inspectBundle(file) : inspectRawLog(file, file.toString());
  }

  private String inspectBundle(Path file) throws BadInputException {
    RunBundle bundle = BundleInputs.open(file);
    try (WorkDirectory work = WorkDirectory.create("ftvm-inspect-")) {
      Path log = work.resolve("replay.bin");
      try {
        bundle.extractReplayLog(log);
      } catch (IOException e) {
        throw new BadInputException(
            file + ": cannot read " + RunBundle.REPLAY_LOG_ENTRY + ": " + e.getMessage(), e);
      }
      return "bundle      : "
          + file
          + "\n"
          + summary(bundle.manifest())
          + "replay log  : "
          + RunBundle.REPLAY_LOG_ENTRY
          + "\n"
          + inspectRawLog(log, file + "!" + RunBundle.REPLAY_LOG_ENTRY);
    } catch (IOException e) {
      throw new BadInputException("cannot inspect " + file + ": " + e.getMessage(), e);
    }
  }

  private static String inspectRawLog(Path log, String name) throws BadInputException {
    try {
      LogStats stats =
          new ReplayLogValidator(ParserOptions.strict().withAllowUnfinalizedHeader(true))
              .validate(log);
      return stats.render();
    } catch (ReplayLogException e) {
      throw new BadInputException(name + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + name + ": " + e.getMessage(), e);
    }
  }

  static String summary(BundleManifest manifest) {
    return String.format(
        Locale.ROOT,
        "recorded    : %s by ftvm %s, QEMU %s%n"
            + "workload    : %s, %.1f s recorded after boot%n"
            + "cmdline     : %s%n"
            + "kernel      : sha256 %s%n"
            + "initrd      : sha256 %s%n"
            + "disk        : initial sha256 %s%n"
            + "              final   sha256 %s%n"
            + "instructions: %,d (manifest)%n",
        manifest.createdAt(),
        manifest.ftvmVersion(),
        manifest.qemuVersion(),
        manifest.vm().workload(),
        manifest.recordedSeconds(),
        manifest.vm().cmdline(),
        manifest.vm().kernelSha256(),
        manifest.vm().initrdSha256(),
        manifest.initialDiskSha256(),
        manifest.finalDiskSha256(),
        manifest.instructionCount());
  }

  private static boolean isZip(Path file) throws BadInputException {
    try (InputStream in = Files.newInputStream(file)) {
      return Arrays.equals(in.readNBytes(ZIP_MAGIC.length), ZIP_MAGIC);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
