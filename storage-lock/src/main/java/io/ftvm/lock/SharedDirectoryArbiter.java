package io.ftvm.lock;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Go-live arbiter on a directory shared by all nodes (NFS, CephFS, a cluster file system).
 *
 * <p>Layout: {@code <dir>/.ftvm-golive-storage} (marker written by {@link #initializeStorage}) and
 * one file {@code <dir>/<vmId>/epoch-<n>.golive} per won epoch. The exclusive create of that file
 * (O_CREAT|O_EXCL) is the test-and-set; the record written into it afterwards only says who won.
 * Every call runs on an I/O thread and is abandoned after {@code opTimeout}, because a hard NFS
 * mount can block forever.
 */
public final class SharedDirectoryArbiter implements GoLiveArbiter {
  /** Marks a directory as initialised go-live storage; guards against an unmounted share. */
  public static final String MARKER_FILE = ".ftvm-golive-storage";

  static final int MAX_RECORD_BYTES = 64 * 1024;
  private static final int MAX_HUNG_OPERATIONS = 4;
  private static final Pattern CLAIM_FILE = Pattern.compile("epoch-(\\d{1,18})\\.golive");
  private static final Logger log = LoggerFactory.getLogger(SharedDirectoryArbiter.class);

  private final Path dir;
  private final TimeBoundedIo io;
  private final Duration recordSettleTime;

  public SharedDirectoryArbiter(Path dir, Duration opTimeout) {
    this.dir = dir.toAbsolutePath().normalize();
    this.recordSettleTime = min(opTimeout.dividedBy(4), Duration.ofMillis(500));
    this.io = new TimeBoundedIo(this.dir.toString(), opTimeout, MAX_HUNG_OPERATIONS);
  }

  /**
   * Prepares {@code dir} (which must exist, normally the mount point of the share) for use as
   * go-live storage by writing the marker file. Idempotent. Run once per share by the admin; nodes
   * refuse to decide anything on a directory without the marker, so a share that failed to mount
   * (leaving an empty local directory on each host) cannot let two hosts both win. {@code ftvm lock
   * init} and {@code ftvm start --pair} both prepare storage through this method.
   */
  public static void initializeStorage(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(
          dir.toString(), null, "go-live storage must be an existing directory");
    }
    Path marker = dir.resolve(MARKER_FILE);
    String content = "ftvm go-live storage\ncreated=" + Instant.now() + "\n";
    try (FileChannel channel =
        FileChannel.open(marker, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
      channel.force(true);
    } catch (FileAlreadyExistsException alreadyInitialized) {
      return;
    }
    forceDirectory(dir);
  }

  @Override
  public GoLiveDecision tryGoLive(GoLiveClaim claim) throws StorageUnavailableException {
    String operation = "claim " + claim.vmId() + " epoch " + claim.epoch();
    GoLiveDecision decision = io.run(operation, () -> claimOnStorage(claim));
    if (decision.won()) {
      log.info(
          "go-live for {} epoch {} WON by {} on {}",
          claim.vmId(),
          claim.epoch(),
          claim.nodeId(),
          dir);
    } else {
      log.warn(
          "go-live claim of {} for {} epoch {} LOST: {}",
          claim.nodeId(),
          claim.vmId(),
          claim.epoch(),
          decision.winner().summary());
    }
    return decision;
  }

  @Override
  public Optional<GoLiveRecord> winner(String vmId, long epoch) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    requireValidEpoch(epoch);
    return io.run(
        "read winner of " + vmId + " epoch " + epoch,
        () -> {
          requireInitialized();
          return readSettledRecord(claimFile(vmId, epoch), vmId, epoch);
        });
  }

  @Override
  public long highestEpoch(String vmId) throws StorageUnavailableException {
    VmIds.requireValidVmId(vmId);
    return io.run(
        "find highest epoch of " + vmId,
        () -> {
          requireInitialized();
          return scanHighestEpoch(dir.resolve(vmId));
        });
  }

  @Override
  public void checkReachable() throws StorageUnavailableException {
    io.run(
        "reachability probe",
        () -> {
          requireInitialized();
          writeAndRemoveProbe();
          return null;
        });
  }

  @Override
  public String describe() {
    return "shared directory " + dir;
  }

  @Override
  public void close() {
    io.close();
  }

  Path claimFile(String vmId, long epoch) {
    return dir.resolve(vmId).resolve("epoch-" + epoch + ".golive");
  }

  private GoLiveDecision claimOnStorage(GoLiveClaim claim)
      throws IOException, InterruptedException, StorageUnavailableException {
    requireInitialized();
    Path vmDir = dir.resolve(claim.vmId());
    ensureVmDirectory(vmDir);
    Path claimFile = claimFile(claim.vmId(), claim.epoch());
    FileChannel channel;
    try {
      channel =
          FileChannel.open(claimFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (FileAlreadyExistsException taken) {
      GoLiveRecord existing =
          readSettledRecord(claimFile, claim.vmId(), claim.epoch())
              .orElseThrow(
                  () ->
                      new StorageUnavailableException(
                          "claim file "
                              + claimFile
                              + " existed at create but vanished when read: someone is deleting"
                              + " go-live records"));
      return GoLiveDecision.decide(claim, existing);
    }
    // The exclusive create succeeded: this node owns the epoch. From here on a failure must not
    // turn into "won" without a durable record, nor into a retry that could make a second winner.
    try (channel) {
      ByteBuffer record = ByteBuffer.wrap(GoLiveRecordCodec.encode(claim));
      while (record.hasRemaining()) {
        channel.write(record);
      }
      channel.force(true);
    } catch (IOException e) {
      throw new StorageUnavailableException(
          "created claim file "
              + claimFile
              + " but could not complete its record ("
              + e.getMessage()
              + "); the epoch is now taken by an unreadable record and needs an admin to inspect"
              + " it",
          e);
    }
    forceDirectory(vmDir);
    return GoLiveDecision.decide(claim, GoLiveRecord.of(claim));
  }

  private void ensureVmDirectory(Path vmDir) throws IOException {
    if (Files.isDirectory(vmDir)) {
      return;
    }
    try {
      Files.createDirectory(vmDir);
      forceDirectory(dir);
    } catch (FileAlreadyExistsException raced) {
      if (!Files.isDirectory(vmDir)) {
        throw new IOException(vmDir + " exists but is not a directory");
      }
    }
  }

  /**
   * Reads a record, giving a winner that is still between its exclusive create and its fsync a
   * short time to finish, so that a concurrent loser learns who won instead of reporting a corrupt
   * record. Whatever is there after that time is reported as it is.
   */
  private Optional<GoLiveRecord> readSettledRecord(Path claimFile, String vmId, long epoch)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + recordSettleTime.toNanos();
    long pauseMillis = 1;
    while (true) {
      Optional<GoLiveRecord> record = readRecord(claimFile, vmId, epoch);
      boolean incomplete = record.flatMap(GoLiveRecord::corruption).isPresent();
      if (!incomplete || System.nanoTime() - deadline >= 0) {
        record
            .flatMap(GoLiveRecord::corruption)
            .ifPresent(
                why ->
                    log.warn(
                        "go-live record {} is corrupt ({}); counting it as won", claimFile, why));
        return record;
      }
      Thread.sleep(pauseMillis);
      pauseMillis = Math.min(pauseMillis * 2, 20);
    }
  }

  private Optional<GoLiveRecord> readRecord(Path claimFile, String vmId, long epoch)
      throws IOException {
    byte[] content;
    try (InputStream in = Files.newInputStream(claimFile)) {
      content = in.readNBytes(MAX_RECORD_BYTES + 1);
    } catch (NoSuchFileException nobody) {
      return Optional.empty();
    }
    if (content.length > MAX_RECORD_BYTES) {
      return Optional.of(
          GoLiveRecord.unknownWinner(
              vmId, epoch, "record is larger than " + MAX_RECORD_BYTES + " bytes"));
    }
    return Optional.of(GoLiveRecordCodec.decode(content, vmId, epoch));
  }

  private long scanHighestEpoch(Path vmDir) throws IOException {
    long highest = NO_EPOCH;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(vmDir)) {
      for (Path entry : entries) {
        Matcher matcher = CLAIM_FILE.matcher(entry.getFileName().toString());
        if (matcher.matches()) {
          highest = Math.max(highest, Long.parseLong(matcher.group(1)));
        } else {
          log.debug("ignoring unexpected file {} in go-live storage", entry);
        }
      }
    } catch (NoSuchFileException neverClaimed) {
      return NO_EPOCH;
    }
    return highest;
  }

  private void writeAndRemoveProbe() throws IOException {
    Path probe = dir.resolve(".probe-" + UUID.randomUUID());
    try (FileChannel channel =
        FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.write(ByteBuffer.wrap("probe\n".getBytes(StandardCharsets.US_ASCII)));
      channel.force(true);
    } finally {
      Files.deleteIfExists(probe);
    }
  }

  private void requireInitialized() throws StorageUnavailableException {
    if (!Files.isDirectory(dir)) {
      throw new StorageUnavailableException(
          "shared storage "
              + dir
              + (Files.exists(dir) ? " is not a directory" : " does not exist")
              + ": is the share mounted?");
    }
    if (!Files.isRegularFile(dir.resolve(MARKER_FILE))) {
      throw new StorageUnavailableException(
          "shared storage "
              + dir
              + " has no "
              + MARKER_FILE
              + " marker: the share is probably not mounted (or was never initialised with"
              + " 'ftvm lock init')");
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static void requireValidEpoch(long epoch) {
    if (epoch < 0) {
      throw new IllegalArgumentException("epoch must be >= 0 but was " + epoch);
    }
  }

  /** Makes a directory entry durable; without it a crash could forget the claim file's name. */
  private static void forceDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
