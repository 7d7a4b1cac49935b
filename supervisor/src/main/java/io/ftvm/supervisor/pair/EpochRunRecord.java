package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The last epoch in which this node's daemon ran its replica, kept in the node's state directory
 * ({@code ran-epoch}). A replica's VM state lives only in its QEMU, so a daemon that ran epoch N
 * and exited (killed, crashed, stopped, restarted by systemd) can never resume in epoch N: its disk
 * ran on while the peer went on without it. Shared storage says the same once the peer claimed the
 * epoch; this record also covers the seconds before that claim (and a peer that never claims, e.g.
 * while storage is unreachable), so a quickly restarted daemon never rejoins its old epoch with a
 * freshly booted VM.
 */
public final class EpochRunRecord {
  static final String FILE = "ran-epoch";

  private EpochRunRecord() {}

  /** The epoch last recorded in {@code stateDirectory}, or 0 when this node never ran there. */
  public static long lastRan(Path stateDirectory) throws IOException {
    Path file = stateDirectory.resolve(FILE);
    if (!Files.exists(file)) {
      return 0;
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IOException(file + " holds '" + text + "', not an epoch number", e);
    }
  }

  /** Records, durably and atomically, that this node's replica runs in {@code epoch} from now. */
  public static void record(Path stateDirectory, long epoch) throws IOException {
    Path tmp = stateDirectory.resolve(FILE + ".tmp");
    Files.writeString(tmp, epoch + "\n", StandardCharsets.US_ASCII);
    try (var channel =
        java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    Files.move(
        tmp,
        stateDirectory.resolve(FILE),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
