package io.ftvm.replay;

import java.nio.ByteBuffer;

/**
 * Incremental parser of a QEMU 10.0 replay log. Chunks may be split anywhere (inside the header,
 * inside a field, inside an array). It keeps only a few primitive fields of state and allocates
 * nothing per event, so it can sit on the log-streaming hot path.
 *
 * <p>Its main output is {@link #lastCompleteBoundary()}: the absolute offset just past the last
 * complete event (or past the header). Bytes before it can be forwarded to a replaying QEMU; a
 * stream can be cut there without leaving half an event.
 *
 * <p>Once a {@link ReplayLogException} was thrown the parser is poisoned: every further call
 * rethrows it, so a caller cannot accidentally continue behind a corrupt byte. Not thread-safe.
 */
public final class StreamingEventParser {

  private enum State {
    HEADER,
    EVENT_CODE,
    FIELD,
    SKIP,
    AFTER_END
  }

  private final ParserOptions options;
  private final ReplayEventListener listener;
  private final LogCounters counters = new LogCounters();

  private State state = State.HEADER;
  private long position;
  private long lastCompleteBoundary;
  private ReplayLogException failure;

  private long headerVersion;
  private long headerReserved;
  private boolean headerUnfinalized;

  private EventKind currentKind;
  private EventKind previousKind;
  private long eventStart;
  private int stage;
  private int fieldRemaining;
  private long fieldValue;
  private long skipRemaining;
  private long eventArgument;

  public StreamingEventParser(ParserOptions options) {
    this(options, null);
  }

  /**
   * @param listener called for each complete event, may be {@code null}
   */
  public StreamingEventParser(ParserOptions options, ReplayEventListener listener) {
    this.options = options;
    this.listener = listener;
  }

  /**
   * Consumes all remaining bytes of {@code chunk} (its position ends at its limit).
   *
   * @return {@link #lastCompleteBoundary()} after the chunk
   */
  public long feed(ByteBuffer chunk) throws ReplayLogException {
    rethrowIfFailed();
    int limit = chunk.limit();
    int i = chunk.position();
    try {
      while (i < limit) {
        if (state == State.SKIP) {
          int n = (int) Math.min(skipRemaining, limit - i);
          i += n;
          position += n;
          skipRemaining -= n;
          if (skipRemaining == 0) {
            completeEvent();
          }
        } else {
          consumeByte(chunk.get(i) & 0xff);
          i++;
        }
      }
    } catch (ReplayLogException e) {
      failure = e;
      chunk.position(i);
      throw e;
    }
    chunk.position(limit);
    return lastCompleteBoundary;
  }

  /** Consumes {@code length} bytes of {@code bytes} starting at {@code offset}. */
  public long feed(byte[] bytes, int offset, int length) throws ReplayLogException {
    return feed(ByteBuffer.wrap(bytes, offset, length));
  }

  public long feed(byte[] bytes) throws ReplayLogException {
    return feed(bytes, 0, bytes.length);
  }

  /**
   * Declares that no more bytes follow. Throws if the stream ends inside the header or an event;
   * ending right after any complete event is accepted (use {@link #endSeen()} to require a clean
   * END).
   */
  public void endOfStream() throws ReplayLogException {
    rethrowIfFailed();
    if (state == State.HEADER) {
      failure =
          position == 0
              ? new ReplayLogException(
                  ReplayLogException.Reason.TRUNCATED, 0, "truncated replay log: stream is empty")
              : new ReplayLogException(
                  ReplayLogException.Reason.TRUNCATED,
                  position,
                  "truncated replay log: stream ends "
                      + position
                      + " bytes into the "
                      + ReplayLogFormat.HEADER_SIZE
                      + "-byte header");
    } else if (state == State.FIELD || state == State.SKIP) {
      failure =
          new ReplayLogException(
              ReplayLogException.Reason.TRUNCATED,
              position,
              "truncated replay log: stream ends "
                  + (position - eventStart)
                  + " bytes into "
                  + withArticle(currentKind)
                  + " event that started at byte "
                  + eventStart);
    }
    rethrowIfFailed();
  }

  private static String withArticle(EventKind kind) {
    return ("AEIOU".indexOf(kind.name().charAt(0)) >= 0 ? "an " : "a ") + kind.name();
  }

  private void rethrowIfFailed() throws ReplayLogException {
    if (failure != null) {
      throw failure;
    }
  }

  private void consumeByte(int b) throws ReplayLogException {
    switch (state) {
      case HEADER:
        consumeHeaderByte(b);
        break;
      case EVENT_CODE:
        beginEvent(b);
        break;
      case FIELD:
        position++;
        fieldValue = (fieldValue << 8) | b;
        if (--fieldRemaining == 0) {
          onFieldComplete(fieldValue);
        }
        break;
      case AFTER_END:
        throw ReplayLogException.corrupt(
            position, String.format("data byte 0x%02x after the END event", b));
      default:
        throw new IllegalStateException("unexpected state " + state);
    }
  }

  private void consumeHeaderByte(int b) throws ReplayLogException {
    if (position < 4) {
      headerVersion = (headerVersion << 8) | b;
    } else {
      headerReserved = (headerReserved << 8) | b;
    }
    position++;
    if (position == 4) {
      checkVersion();
    }
    if (position == ReplayLogFormat.HEADER_SIZE) {
      state = State.EVENT_CODE;
      lastCompleteBoundary = position;
    }
  }

  private void checkVersion() throws ReplayLogException {
    if (headerVersion == ReplayLogFormat.REPLAY_VERSION) {
      return;
    }
    if (headerVersion == ReplayLogFormat.UNFINALIZED_VERSION) {
      if (options.allowUnfinalizedHeader()) {
        headerUnfinalized = true;
        return;
      }
      throw new ReplayLogException(
          ReplayLogException.Reason.UNFINALIZED_HEADER,
          0,
          "unfinalized replay log: header version is 0 (stock QEMU writes it only at exit; the"
              + " recorder is still running or died). Allow unfinalized headers to read it anyway");
    }
    if ((headerVersion & 0xff000000L) == 0
        && (headerVersion & ReplayLogFormat.VERSION_FAMILY_MASK)
            == ReplayLogFormat.VERSION_FAMILY) {
      throw new ReplayLogException(
          ReplayLogException.Reason.FOREIGN_VERSION,
          0,
          String.format(
              "foreign replay log: version 0x%x (not QEMU 10.0), expected 0x%x (QEMU 10.0)",
              headerVersion, ReplayLogFormat.REPLAY_VERSION));
    }
    throw new ReplayLogException(
        ReplayLogException.Reason.NOT_A_REPLAY_LOG,
        0,
        String.format(
            "not a QEMU replay log: header starts with 0x%08x, expected version 0x%08x",
            headerVersion, ReplayLogFormat.REPLAY_VERSION));
  }

  private void beginEvent(int code) throws ReplayLogException {
    EventKind kind = EventKind.fromCodeOrNull(code);
    if (kind == null) {
      throw ReplayLogException.corrupt(
          position,
          String.format(
              "unknown event code 0x%02x %s",
              code,
              previousKind == null ? "as the first event" : "after " + previousKind + " event"));
    }
    currentKind = kind;
    eventStart = position;
    position++;
    stage = 0;
    eventArgument = 0;
    switch (kind.category()) {
      case INSTRUCTION:
      case CHAR_READ_ALL:
      case CHAR_READ_ALL_ERROR:
      case RANDOM:
        expectField(4);
        break;
      case CHAR_WRITE:
        expectField(8);
        break;
      case AUDIO_OUT:
      case AUDIO_IN:
      case CLOCK:
        expectField(8);
        break;
      case ASYNC:
        beginAsyncEvent(kind);
        break;
      case INTERRUPT:
      case EXCEPTION:
      case SHUTDOWN:
      case CHECKPOINT:
      case END:
        completeEvent();
        break;
      default:
        throw new IllegalStateException("unhandled category " + kind.category());
    }
  }

  private void beginAsyncEvent(EventKind kind) throws ReplayLogException {
    switch (kind) {
      case ASYNC_BH:
      case ASYNC_BH_ONESHOT:
      case ASYNC_BLOCK:
        expectField(8);
        break;
      case ASYNC_INPUT:
        expectField(4);
        break;
      case ASYNC_CHAR_READ:
      case ASYNC_NET:
        expectField(1);
        break;
      case ASYNC_INPUT_SYNC:
        completeEvent();
        break;
      default:
        throw new IllegalStateException("not an async kind " + kind);
    }
  }

  private void expectField(int bytes) {
    state = State.FIELD;
    fieldRemaining = bytes;
    fieldValue = 0;
  }

  private void expectSkip(long bytes) throws ReplayLogException {
    if (bytes == 0) {
      completeEvent();
      return;
    }
    state = State.SKIP;
    skipRemaining = bytes;
  }

  private void expectArray(long length) throws ReplayLogException {
    if (length > options.maxArrayLength()) {
      throw ReplayLogException.corrupt(
          position - 4,
          "implausible "
              + currentKind
              + " payload length "
              + length
              + " (limit "
              + options.maxArrayLength()
              + ") in event that started at byte "
              + eventStart);
    }
    expectSkip(length);
  }

  private void onFieldComplete(long value) throws ReplayLogException {
    int fieldStage = stage++;
    switch (currentKind.category()) {
      case INSTRUCTION:
        if (value == 0 || value > Integer.MAX_VALUE) {
          throw ReplayLogException.corrupt(
              eventStart,
              "INSTRUCTION event with impossible count "
                  + value
                  + " (QEMU writes 1.."
                  + Integer.MAX_VALUE
                  + ")");
        }
        eventArgument = value;
        completeEvent();
        break;
      case CLOCK:
        eventArgument = value;
        completeEvent();
        break;
      case CHAR_WRITE:
      case CHAR_READ_ALL_ERROR:
      case AUDIO_OUT:
        completeEvent();
        break;
      case CHAR_READ_ALL:
        expectArray(value);
        break;
      case RANDOM:
        if (fieldStage == 0) {
          expectField(4);
        } else {
          expectArray(value);
        }
        break;
      case AUDIO_IN:
        onAudioInField(fieldStage, value);
        break;
      case ASYNC:
        onAsyncField(fieldStage, value);
        break;
      default:
        throw new IllegalStateException("no fields in " + currentKind);
    }
  }

  /**
   * AUDIO_IN stores n = frames recorded, the ring write position, then n sample pairs. QEMU loops
   * from (wpos - n) mod size to wpos, so n equal to the whole ring size would write no samples; the
   * ring size is not in the log, and the capture path never fills the entire ring, so n pairs are
   * assumed.
   */
  private void onAudioInField(int fieldStage, long value) throws ReplayLogException {
    if (fieldStage == 0) {
      if (value < 0 || value > options.maxArrayLength() / 16) {
        throw ReplayLogException.corrupt(
            position - 8,
            "implausible AUDIO_IN frame count "
                + Long.toUnsignedString(value)
                + " in event that started at byte "
                + eventStart);
      }
      eventArgument = value;
      expectField(8);
    } else {
      expectSkip(eventArgument * 16);
    }
  }

  private void onAsyncField(int fieldStage, long value) throws ReplayLogException {
    switch (currentKind) {
      case ASYNC_BH:
      case ASYNC_BH_ONESHOT:
      case ASYNC_BLOCK:
        eventArgument = value;
        completeEvent();
        break;
      case ASYNC_INPUT:
        onInputField(fieldStage, value);
        break;
      case ASYNC_CHAR_READ:
        if (fieldStage == 0) {
          expectField(4);
        } else {
          expectArray(value);
        }
        break;
      case ASYNC_NET:
        if (fieldStage < 2) {
          expectField(4);
        } else {
          expectArray(value);
        }
        break;
      default:
        throw new IllegalStateException("no fields in " + currentKind);
    }
  }

  /** The sub-formats of replay_save_input_event() in replay/replay-input.c. */
  private void onInputField(int fieldStage, long value) throws ReplayLogException {
    if (fieldStage == 0) {
      eventArgument = value;
      switch ((int) Math.min(value, Integer.MAX_VALUE)) {
        case ReplayLogFormat.INPUT_KIND_KEY:
          expectField(4);
          return;
        case ReplayLogFormat.INPUT_KIND_BTN:
          expectSkip(4 + 1);
          return;
        case ReplayLogFormat.INPUT_KIND_REL:
        case ReplayLogFormat.INPUT_KIND_ABS:
          expectSkip(4 + 8);
          return;
        case ReplayLogFormat.INPUT_KIND_MTT:
          expectSkip(4 + 8 + 8 + 4 + 8);
          return;
        default:
          throw ReplayLogException.corrupt(
              position - 4,
              "unknown input event kind "
                  + value
                  + " in INPUT event that started at byte "
                  + eventStart);
      }
    }
    if (value == ReplayLogFormat.KEY_VALUE_NUMBER) {
      expectSkip(8 + 1);
    } else if (value == ReplayLogFormat.KEY_VALUE_QCODE) {
      expectSkip(4 + 1);
    } else {
      throw ReplayLogException.corrupt(
          position - 4,
          "unknown key value kind " + value + " in INPUT event that started at byte " + eventStart);
    }
  }

  private void completeEvent() {
    int length = (int) (position - eventStart);
    EventKind kind = currentKind;
    counters.record(kind, length, eventArgument);
    lastCompleteBoundary = position;
    previousKind = kind;
    state = kind == EventKind.END ? State.AFTER_END : State.EVENT_CODE;
    if (listener != null) {
      listener.onEvent(kind, eventStart, length, eventArgument);
    }
  }

  /** Offset just past the last complete event (or the header); 0 before the header is complete. */
  public long lastCompleteBoundary() {
    return lastCompleteBoundary;
  }

  /** All bytes fed so far (absolute offset of the next byte). */
  public long bytesSeen() {
    return position;
  }

  /** True if the stream could end here: after the header or a complete event. */
  public boolean atBoundary() {
    return failure == null && position == lastCompleteBoundary && state != State.HEADER;
  }

  /** Sum of all INSTRUCTION counts: the icount at {@link #lastCompleteBoundary()}. */
  public long instructions() {
    return counters.instructions();
  }

  public long eventCount() {
    return counters.events();
  }

  public long count(EventKind kind) {
    return counters.count(kind);
  }

  public long bytes(EventKind kind) {
    return counters.bytes(kind);
  }

  public boolean endSeen() {
    return state == State.AFTER_END;
  }

  public boolean headerComplete() {
    return state != State.HEADER;
  }

  public boolean headerUnfinalized() {
    return headerUnfinalized;
  }

  /** The version field of the header as read (0 if unfinalized). */
  public long headerVersion() {
    return headerVersion;
  }

  /** The u64 after the version; QEMU 10.0 never writes it, so it is 0 in its logs. */
  public long headerReserved() {
    return headerReserved;
  }

  /** Snapshot of everything counted so far. */
  public LogStats stats() {
    return counters.snapshot(
        headerVersion,
        headerReserved,
        headerUnfinalized,
        position,
        lastCompleteBoundary,
        endSeen());
  }
}
