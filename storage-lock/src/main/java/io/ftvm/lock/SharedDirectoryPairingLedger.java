package io.ftvm.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PairingLedger} in the go-live storage directory: {@code <dir>/<vmId>/epoch-<n>.pairing}
 * next to the {@code epoch-<n>.golive} records. A reservation is written completely into a private
 * temporary file, made durable, and then hard-linked to its final name: the link is the atomic,
 * exclusive step (it fails if the name exists), so a reader never sees half a record and two
 * reservations never share an epoch. The next epoch is above every {@code .golive} and {@code
 * .pairing} file, so a number is never handed out twice.
 */
public final class SharedDirectoryPairingLedger implements PairingLedger, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SharedDirectoryPairingLedger.class);
  private static final Pattern EPOCH_FILE = Pattern.compile("epoch-(\\d{1,18})\\.(golive|pairing)");
  private static final int MAX_RESERVE_ATTEMPTS = 64;
  private static final int MAX_HUNG_OPERATIONS = 4;

  private final Path dir;
  private final TimeBoundedIo io;

  public SharedDirectoryPairingLedger(Path dir, Duration opTimeout) {
    this.dir = dir.toAbsolutePath().normalize();
    this.io = new TimeBoundedIo(this.dir.toString(), opTimeout, MAX_HUNG_OPERATIONS);
  }

  @Override
  public PairingRecord reserveNext(String vmId, String joinerNodeId, String offer, long atLeast)
      throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    VmIds.requireValidNodeId(joinerNodeId);
    PairingRecord record =
        io.run(
            "reserve a pairing epoch of " + vmId,
            () -> reserveOnStorage(vmId, joinerNodeId, offer, atLeast));
    log.info(
        "reserved pairing epoch {} of {} for joining node {} on {}",
        record.epoch(),
        vmId,
        joinerNodeId,
        dir);
    return record;
  }

  @Override
  public Optional<PairingRecord> latest(String vmId) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    return io.run(
        "read the latest pairing of " + vmId,
        () -> {
          requireInitialized();
          long highest = scan(dir.resolve(vmId), "pairing");
          if (highest < 0) {
            return Optional.empty();
          }
          return Optional.of(read(pairingFile(vmId, highest), vmId, highest));
        });
  }

  @Override
  public long highestEpoch(String vmId) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    return io.run(
        "find the highest epoch of " + vmId,
        () -> {
          requireInitialized();
          return scan(dir.resolve(vmId), null);
        });
  }

  @Override
  public void close() {
    io.close();
  }

  Path pairingFile(String vmId, long epoch) {
    return dir.resolve(vmId).resolve("epoch-" + epoch + ".pairing");
  }

  private PairingRecord reserveOnStorage(String vmId, String joiner, String offer, long atLeast)
      throws IOException, StorageUnavailableException {
    requireInitialized();
    Path vmDir = dir.resolve(vmId);
    try {
      Files.createDirectory(vmDir);
    } catch (FileAlreadyExistsException exists) {
      if (!Files.isDirectory(vmDir)) {
        throw new IOException(vmDir + " exists but is not a directory");
      }
    }
    for (int attempt = 0; attempt < MAX_RESERVE_ATTEMPTS; attempt++) {
      long epoch = Math.max(scan(vmDir, null) + 1, atLeast);
      PairingRecord record = new PairingRecord(vmId, epoch, joiner, offer, Instant.now());
      Path tmp = vmDir.resolve(".pairing-" + UUID.randomUUID() + ".tmp");
      try {
        Files.writeString(
            tmp,
            encode(record),
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE,
            StandardOpenOption.SYNC);
        Files.createLink(pairingFile(vmId, epoch), tmp);
        return record;
      } catch (FileAlreadyExistsException raced) {
        log.debug("pairing epoch {} of {} taken meanwhile; trying the next", epoch, vmId);
      } finally {
        Files.deleteIfExists(tmp);
      }
    }
    throw new StorageUnavailableException(
        "could not reserve a pairing epoch of "
            + vmId
            + " in "
            + MAX_RESERVE_ATTEMPTS
            + " attempts: something keeps taking them");
  }

  static String encode(PairingRecord record) {
    return "ftvm-pairing 1\n"
        + "vm="
        + record.vmId()
        + "\nepoch="
        + record.epoch()
        + "\njoiner="
        + record.joinerNodeId()
        + "\nreserved="
        + record.reservedAt()
        + "\noffer="
        + record.offer()
        + "\n";
  }

  static PairingRecord decode(String text, String vmId, long epoch) throws IOException {
    Map<String, String> fields = new LinkedHashMap<>();
    String[] lines = text.split("\n");
    if (lines.length == 0 || !lines[0].equals("ftvm-pairing 1")) {
      throw new IOException("not a pairing record (first line '" + lines[0] + "')");
    }
    for (int i = 1; i < lines.length; i++) {
      int eq = lines[i].indexOf('=');
      if (eq > 0) {
        fields.put(lines[i].substring(0, eq), lines[i].substring(eq + 1));
      }
    }
    if (!vmId.equals(fields.get("vm")) || !String.valueOf(epoch).equals(fields.get("epoch"))) {
      throw new IOException(
          "pairing record names vm "
              + fields.get("vm")
              + " epoch "
              + fields.get("epoch")
              + " but is filed as "
              + vmId
              + " epoch "
              + epoch);
    }
    try {
      return new PairingRecord(
          vmId,
          epoch,
          fields.getOrDefault("joiner", ""),
          fields.getOrDefault("offer", ""),
          Instant.parse(fields.getOrDefault("reserved", "")));
    } catch (RuntimeException e) {
      throw new IOException("corrupt pairing record for " + vmId + " epoch " + epoch + ": " + e);
    }
  }

  private static PairingRecord read(Path file, String vmId, long epoch) throws IOException {
    return decode(Files.readString(file, StandardCharsets.UTF_8), vmId, epoch);
  }

  /** Highest epoch among files of {@code kind} ("golive", "pairing", or null for both). */
  private static long scan(Path vmDir, String kind) throws IOException {
    long highest = GoLiveArbiter.NO_EPOCH;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(vmDir)) {
      for (Path entry : entries) {
        Matcher matcher = EPOCH_FILE.matcher(entry.getFileName().toString());
        if (matcher.matches() && (kind == null || kind.equals(matcher.group(2)))) {
          highest = Math.max(highest, Long.parseLong(matcher.group(1)));
        }
      }
    } catch (NoSuchFileException neverUsed) {
      return GoLiveArbiter.NO_EPOCH;
    }
    return highest;
  }

  private void requireInitialized() throws StorageUnavailableException {
    if (!Files.isRegularFile(dir.resolve(SharedDirectoryArbiter.MARKER_FILE))) {
      throw new StorageUnavailableException(
          "shared storage "
              + dir
              + " has no "
              + SharedDirectoryArbiter.MARKER_FILE
              + " marker: the share is probably not mounted");
    }
  }
}
