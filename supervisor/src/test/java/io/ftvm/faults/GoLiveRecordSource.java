package io.ftvm.faults;

import io.ftvm.lock.GoLiveRecord;
import io.ftvm.lock.GoLiveRecordCodec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a round reads the pair's go-live records from, as {@code epoch-<n>.golive} name to winner
 * (null when unreadable), whatever the arbiter backend.
 */
interface GoLiveRecordSource extends AutoCloseable {
  Pattern RECORD_NAME = Pattern.compile("epoch-(\\d+)\\.golive");

  /** The records present now; throws when the backend cannot be read right now. */
  Map<String, String> records() throws IOException;

  @Override
  default void close() {}

  /** The shared directory's {@code <dir>/<vmId>/epoch-<n>.golive} files. */
  record Directory(Path vmDirectory) implements GoLiveRecordSource {
    @Override
    public Map<String, String> records() throws IOException {
      Map<String, String> records = new LinkedHashMap<>();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(vmDirectory)) {
        for (Path file : files) {
          String name = file.getFileName().toString();
          Matcher matcher = RECORD_NAME.matcher(name);
          if (!matcher.matches()) {
            continue;
          }
          String winner = null;
          try {
            GoLiveRecord record =
                GoLiveRecordCodec.decode(
                    Files.readAllBytes(file),
                    vmDirectory.getFileName().toString(),
                    Long.parseLong(matcher.group(1)));
            winner = record.nodeId().orElse(null);
          } catch (IOException | RuntimeException unreadable) {
            // reported as a record without a winner
          }
          records.put(name, winner);
        }
      } catch (NoSuchFileException nothingClaimedYet) {
        // The arbiter creates the VM's directory with its first claim.
      }
      return records;
    }
  }
}
