package io.ftvm.supervisor.recording;

import io.ftvm.replay.BundleManifest;
import io.ftvm.replay.LogStats;
import io.ftvm.replay.ReplayLogException;
import io.ftvm.replay.ReplayLogValidator;
import io.ftvm.replay.RunBundle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything a replay needs from a bundle, checked before QEMU starts: the bundle is one, its log
 * is complete and matches the manifest, and the guest files on this host are the recorded ones.
 */
final class BundleInputs {
  private BundleInputs() {}

  static RunBundle open(Path file) throws BadInputException {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file + " does not exist or is not a file");
    }
    try {
      return RunBundle.read(file);
    } catch (IOException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  /** Extracts and validates {@code replay.bin}; it must be finished and agree with the manifest. */
  static LogStats extractLog(RunBundle bundle, Path target) throws BadInputException {
    BundleManifest manifest = bundle.manifest();
    LogStats stats;
    try {
      bundle.extractReplayLog(target);
      stats = new ReplayLogValidator().validateFinished(target);
    } catch (ReplayLogException e) {
      throw new BadInputException(
          bundle.file() + ": " + RunBundle.REPLAY_LOG_ENTRY + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new BadInputException(
          bundle.file()
              + ": cannot read "
              + RunBundle.REPLAY_LOG_ENTRY
              + " ("
              + e.getMessage()
              + "); the bundle is damaged",
          e);
    }
    if (stats.headerVersion() != manifest.replayLogVersion()) {
      throw new BadInputException(
          String.format(
              "%s: %s has log version 0x%x but the manifest says 0x%x",
              bundle.file(),
              RunBundle.REPLAY_LOG_ENTRY,
              stats.headerVersion(),
              manifest.replayLogVersion()));
    }
    if (stats.instructions() != manifest.instructionCount()) {
      throw new BadInputException(
          String.format(
              "%s: %s covers %d instructions but the manifest recorded %d; the log was altered",
              bundle.file(),
              RunBundle.REPLAY_LOG_ENTRY,
              stats.instructions(),
              manifest.instructionCount()));
    }
    return stats;
  }

  /** The recorded launch, with the guest files of {@code override} if given, digests checked. */
  static GuestLaunch guest(BundleManifest manifest, VmDefinition override)
      throws BadInputException {
    if (override != null && override.description() != null) {
      // A described VM: its devices come from the description, checked against the recording.
      GuestLaunch guest = GuestLaunch.of(override, manifest.vm().workload());
      if (guest.kernel() != null) {
        requireSame("kernel", guest.kernel(), manifest.vm().kernelSha256());
      }
      if (guest.initrd() != null) {
        requireSame("initrd", guest.initrd(), manifest.vm().initrdSha256());
      }
      requireSame("initial disk image", guest.disk(), manifest.initialDiskSha256());
      return guest;
    }
    GuestLaunch recorded =
        GuestLaunch.fromManifestArgs(manifest.vm().qemuArgs(), manifest.vm().cmdline());
    GuestLaunch guest = override == null ? recorded : recorded.withFilesOf(override);
    requireSame("kernel", guest.kernel(), manifest.vm().kernelSha256());
    requireSame("initrd", guest.initrd(), manifest.vm().initrdSha256());
    requireSame("initial disk image", guest.disk(), manifest.initialDiskSha256());
    return guest;
  }

  static void requireSame(String what, Path file, String recordedSha256) throws BadInputException {
    if (recordedSha256 == null) {
      throw new BadInputException("the manifest has no sha256 for the " + what);
    }
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(
          what
              + " "
              + file
              + " does not exist on this host (recorded sha256 "
              + recordedSha256
              + "); pass --vm <dir|vm.json> to say where the recorded VM's files are");
    }
    String actual;
    try {
      actual = Sha256.of(file);
    } catch (IOException e) {
      throw new BadInputException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
    }
    if (!Objects.equals(actual, recordedSha256)) {
      throw new BadInputException(
          what
              + " "
              + file
              + " differs from the recorded one (sha256 "
              + actual
              + ", recorded "
              + recordedSha256
              + ")");
    }
  }
}
