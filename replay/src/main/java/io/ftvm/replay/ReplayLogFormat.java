package io.ftvm.replay;

/**
 * Constants of QEMU 10.0.13's record/replay log, derived from replay/replay.c,
 * replay/replay-internal.[ch] and include/system/replay.h.
 *
 * <p>Layout: a 12-byte header (big-endian u32 REPLAY_VERSION, then a u64 that QEMU never writes and
 * therefore stays 0), followed by events. Each event is one code byte followed by a payload whose
 * length depends on the code (see {@link #payloadLayout(EventKind)}). All multi-byte integers are
 * big-endian: replay_put_word/dword/qword emit the high part first. Arrays (replay_put_array) are a
 * u32 length followed by that many bytes.
 */
public final class ReplayLogFormat {
  /** REPLAY_VERSION in replay/replay.c of QEMU 10.0. */
  public static final int REPLAY_VERSION = 0xe0200c;

  /** HEADER_SIZE = sizeof(uint32_t) + sizeof(uint64_t). */
  public static final int HEADER_SIZE = 12;

  /**
   * Stock QEMU writes the version only in replay_finish(); while recording (or after a crash) the
   * header is all zeros.
   */
  public static final int UNFINALIZED_VERSION = 0;

  /** High byte shared by every REPLAY_VERSION QEMU has used (0xe02xxx). */
  static final int VERSION_FAMILY_MASK = 0xff0000;

  static final int VERSION_FAMILY = 0xe00000;

  public static final int ASYNC_KIND_COUNT = 7;
  public static final int SHUTDOWN_CAUSE_MAX = 11;
  public static final int CLOCK_KIND_COUNT = 2;
  public static final int CHECKPOINT_COUNT = 9;

  public static final int EVENT_INSTRUCTION = 0;
  public static final int EVENT_INTERRUPT = 1;
  public static final int EVENT_EXCEPTION = 2;
  public static final int EVENT_ASYNC = 3;
  public static final int EVENT_ASYNC_LAST = EVENT_ASYNC + ASYNC_KIND_COUNT - 1;
  public static final int EVENT_SHUTDOWN = EVENT_ASYNC_LAST + 1;
  public static final int EVENT_SHUTDOWN_LAST = EVENT_SHUTDOWN + SHUTDOWN_CAUSE_MAX;
  public static final int EVENT_CHAR_WRITE = EVENT_SHUTDOWN_LAST + 1;
  public static final int EVENT_CHAR_READ_ALL = EVENT_CHAR_WRITE + 1;
  public static final int EVENT_CHAR_READ_ALL_ERROR = EVENT_CHAR_READ_ALL + 1;
  public static final int EVENT_AUDIO_OUT = EVENT_CHAR_READ_ALL_ERROR + 1;
  public static final int EVENT_AUDIO_IN = EVENT_AUDIO_OUT + 1;
  public static final int EVENT_RANDOM = EVENT_AUDIO_IN + 1;
  public static final int EVENT_CLOCK = EVENT_RANDOM + 1;
  public static final int EVENT_CLOCK_LAST = EVENT_CLOCK + CLOCK_KIND_COUNT - 1;
  public static final int EVENT_CHECKPOINT = EVENT_CLOCK_LAST + 1;
  public static final int EVENT_CHECKPOINT_LAST = EVENT_CHECKPOINT + CHECKPOINT_COUNT - 1;
  public static final int EVENT_END = EVENT_CHECKPOINT_LAST + 1;
  public static final int EVENT_COUNT = EVENT_END + 1;

  /** InputEventKind (qapi/ui.json) values that follow an ASYNC_INPUT code. */
  public static final int INPUT_KIND_KEY = 0;

  public static final int INPUT_KIND_BTN = 1;
  public static final int INPUT_KIND_REL = 2;
  public static final int INPUT_KIND_ABS = 3;
  public static final int INPUT_KIND_MTT = 4;

  /** KeyValueKind (qapi/ui.json) values that follow INPUT_KIND_KEY. */
  public static final int KEY_VALUE_NUMBER = 0;

  public static final int KEY_VALUE_QCODE = 1;

  private ReplayLogFormat() {}

  /** Human-readable name and payload of a wire code, also for codes QEMU 10.0 never writes. */
  public static String describe(int code) {
    EventKind kind = EventKind.fromCodeOrNull(code);
    if (kind == null) {
      return String.format(
          "0x%02x (unknown to QEMU 10.0, REPLAY_VERSION 0x%x)", code, REPLAY_VERSION);
    }
    return String.format("0x%02x %s: %s", code, kind.qemuName(), payloadLayout(kind));
  }

  /** Human-readable description of the payload bytes that follow the code byte. */
  public static String payloadLayout(EventKind kind) {
    switch (kind.category()) {
      case INSTRUCTION:
        return "u32 instruction count (1..2^31-1)";
      case INTERRUPT:
      case EXCEPTION:
      case SHUTDOWN:
      case CHECKPOINT:
      case END:
        return "no payload";
      case CHAR_WRITE:
        return "u32 result, u32 offset";
      case CHAR_READ_ALL:
        return "u32 length, bytes";
      case CHAR_READ_ALL_ERROR:
        return "u32 (negative errno)";
      case AUDIO_OUT:
        return "u64 frames played";
      case AUDIO_IN:
        return "u64 frames recorded (n), u64 write position, n x (u64 left, u64 right)";
      case RANDOM:
        return "u32 result, u32 length, bytes";
      case CLOCK:
        return "u64 clock value (ns)";
      case ASYNC:
        return asyncPayloadLayout(kind);
      default:
        throw new IllegalStateException("unhandled category " + kind.category());
    }
  }

  private static String asyncPayloadLayout(EventKind kind) {
    switch (kind) {
      case ASYNC_BH:
      case ASYNC_BH_ONESHOT:
        return "u64 event id (icount when scheduled)";
      case ASYNC_BLOCK:
        return "u64 block request id";
      case ASYNC_INPUT:
        return "u32 input kind, then KEY: u32 key kind + (NUMBER: u64, u8 down | QCODE: u32, u8"
            + " down); BTN: u32 button, u8 down; REL/ABS: u32 axis, u64 value; MTT: u32 type, u64"
            + " slot, u64 tracking id, u32 axis, u64 value";
      case ASYNC_INPUT_SYNC:
        return "no payload";
      case ASYNC_CHAR_READ:
        return "u8 char driver index, u32 length, bytes";
      case ASYNC_NET:
        return "u8 net filter index, u32 flags, u32 length, frame bytes";
      default:
        throw new IllegalStateException("not an async kind: " + kind);
    }
  }
}
