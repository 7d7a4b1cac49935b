package io.ftvm.replay;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whole-file checks and repairs of replay logs, built on {@link StreamingEventParser}. */
public final class ReplayLogValidator {
  private static final Logger log = LoggerFactory.getLogger(ReplayLogValidator.class);
  private static final int BUFFER_SIZE = 1 << 20;
  private static final long PROGRESS_EVERY_BYTES = 64L << 20;

  private final ParserOptions options;

  public ReplayLogValidator(ParserOptions options) {
    this.options = options;
  }

  /** Strict validator: finalized header required. */
  public ReplayLogValidator() {
    this(ParserOptions.strict());
  }

  /**
   * Parses the whole file.
   *
   * @return statistics of a log that ends on an event boundary (with or without END; see {@link
   *     LogStats#endSeen()})
   * @throws ReplayLogException with offset and reason if the log is corrupt, truncated or foreign
   */
  public LogStats validate(Path file) throws IOException {
    StreamingEventParser parser = new StreamingEventParser(options);
    parseFile(file, parser);
    parser.endOfStream();
    return parser.stats();
  }

  /**
   * Like {@link #validate(Path)} but also demands the END event that a cleanly exited recorder
   * writes, which is what stock {@code rr=replay} needs to run to completion.
   */
  public LogStats validateFinished(Path file) throws IOException {
    LogStats stats = validate(file);
    if (!stats.endSeen()) {
      throw new ReplayLogException(
          ReplayLogException.Reason.TRUNCATED,
          stats.bytesSeen(),
          "truncated replay log: "
              + file
              + " has no END event after "
              + stats.events()
              + " events ("
              + stats.bytesSeen()
              + " bytes); the recorder did not exit cleanly");
    }
    return stats;
  }

  /**
   * Truncates a log whose writer died mid-event to its last complete event. An unfinalized (zero)
   * header is accepted here because that is exactly what a dead stock recorder leaves behind.
   * Corruption is NOT repaired: the file is left untouched and the error is thrown, so nothing is
   * lost silently.
   *
   * @return the new (or unchanged) length of the file
   */
  public long cutToLastCompleteEvent(Path file) throws IOException {
    StreamingEventParser parser =
        new StreamingEventParser(options.withAllowUnfinalizedHeader(true));
    parseFile(file, parser);
    if (!parser.headerComplete()) {
      throw new ReplayLogException(
          ReplayLogException.Reason.TRUNCATED,
          parser.bytesSeen(),
          "truncated replay log: "
              + file
              + " ends "
              + parser.bytesSeen()
              + " bytes into the header; nothing to keep");
    }
    long boundary = parser.lastCompleteBoundary();
    long size = parser.bytesSeen();
    if (boundary < size) {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
        channel.truncate(boundary);
        channel.force(true);
      }
      log.info(
          "cut {} from {} to {} bytes: dropped {} bytes of an incomplete event",
          file,
          size,
          boundary,
          size - boundary);
    }
    return boundary;
  }

  /**
   * Makes the log of a recorder that died (kill -9, crash) replayable by stock QEMU: cuts it to the
   * last complete event, then does what replay_finish() would have done on a clean exit: appends
   * SHUTDOWN_HOST_SIGNAL + END and writes REPLAY_VERSION into the header. Already finished logs are
   * left alone; corrupt or foreign logs are refused untouched.
   *
   * @return statistics of the finished log
   */
  public LogStats finishDeadRecording(Path file) throws IOException {
    StreamingEventParser parser =
        new StreamingEventParser(options.withAllowUnfinalizedHeader(true));
    parseFile(file, parser);
    if (parser.endSeen() && !parser.headerUnfinalized()) {
      return validateFinished(file);
    }
    long boundary = cutToLastCompleteEvent(file);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (!parser.endSeen()) {
        channel.write(
            ByteBuffer.wrap(
                new byte[] {
                  (byte) EventKind.SHUTDOWN_HOST_SIGNAL.code(), (byte) EventKind.END.code()
                }),
            boundary);
      }
      ByteBuffer version =
          ByteBuffer.allocate(Integer.BYTES).putInt(ReplayLogFormat.REPLAY_VERSION);
      channel.write(version.flip(), 0);
      channel.force(true);
    }
    log.info(
        "finished dead recording {}: cut to {} bytes, appended END, wrote header", file, boundary);
    return validateFinished(file);
  }

  private static void parseFile(Path file, StreamingEventParser parser) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
      long nextProgress = PROGRESS_EVERY_BYTES;
      while (channel.read(buffer) >= 0) {
        buffer.flip();
        parser.feed(buffer);
        buffer.clear();
        if (parser.bytesSeen() >= nextProgress) {
          log.info(
              "checking {}: {} of {} MiB, {} events",
              file,
              parser.bytesSeen() >> 20,
              size >> 20,
              parser.eventCount());
          nextProgress += PROGRESS_EVERY_BYTES;
        }
      }
    }
  }
}
