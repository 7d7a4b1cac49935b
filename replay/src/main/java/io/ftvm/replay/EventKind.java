package io.ftvm.replay;

import java.util.Optional;

/**
 * Every event code of QEMU 10.0's replay log ({@code enum ReplayEvents} in
 * replay/replay-internal.h, REPLAY_VERSION 0xe0200c). The declaration order IS the wire code:
 * {@link #code()} equals {@link #ordinal()}, which is checked when the class initialises.
 *
 * <p>The ranges are derived from the C enums: 7 async kinds (REPLAY_ASYNC_COUNT), 12 shutdown codes
 * (EVENT_SHUTDOWN .. EVENT_SHUTDOWN + SHUTDOWN_CAUSE__MAX with SHUTDOWN_CAUSE__MAX = 11 from
 * qapi/run-state.json, i.e. one reserved code beyond the last real cause), 2 clocks
 * (REPLAY_CLOCK_COUNT) and 9 checkpoints (CHECKPOINT_COUNT).
 */
public enum EventKind {
  INSTRUCTION(0, EventCategory.INSTRUCTION, "EVENT_INSTRUCTION"),
  INTERRUPT(1, EventCategory.INTERRUPT, "EVENT_INTERRUPT"),
  EXCEPTION(2, EventCategory.EXCEPTION, "EVENT_EXCEPTION"),
  ASYNC_BH(3, EventCategory.ASYNC, "ASYNC_EVENT_BH"),
  ASYNC_BH_ONESHOT(4, EventCategory.ASYNC, "ASYNC_EVENT_BH_ONESHOT"),
  ASYNC_INPUT(5, EventCategory.ASYNC, "ASYNC_EVENT_INPUT"),
  ASYNC_INPUT_SYNC(6, EventCategory.ASYNC, "ASYNC_EVENT_INPUT_SYNC"),
  ASYNC_CHAR_READ(7, EventCategory.ASYNC, "ASYNC_EVENT_CHAR_READ"),
  ASYNC_BLOCK(8, EventCategory.ASYNC, "ASYNC_EVENT_BLOCK"),
  ASYNC_NET(9, EventCategory.ASYNC, "ASYNC_EVENT_NET"),
  SHUTDOWN_NONE(10, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_NONE"),
  SHUTDOWN_HOST_ERROR(11, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_HOST_ERROR"),
  SHUTDOWN_HOST_QMP_QUIT(12, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_HOST_QMP_QUIT"),
  SHUTDOWN_HOST_QMP_SYSTEM_RESET(
      13, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET"),
  SHUTDOWN_HOST_SIGNAL(14, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_HOST_SIGNAL"),
  SHUTDOWN_HOST_UI(15, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_HOST_UI"),
  SHUTDOWN_GUEST_SHUTDOWN(16, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_GUEST_SHUTDOWN"),
  SHUTDOWN_GUEST_RESET(17, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_GUEST_RESET"),
  SHUTDOWN_GUEST_PANIC(18, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_GUEST_PANIC"),
  SHUTDOWN_SUBSYSTEM_RESET(19, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_SUBSYSTEM_RESET"),
  SHUTDOWN_SNAPSHOT_LOAD(20, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE_SNAPSHOT_LOAD"),
  /**
   * EVENT_SHUTDOWN_LAST is EVENT_SHUTDOWN + SHUTDOWN_CAUSE__MAX, so the range has one code more
   * than there are causes. QEMU never writes it but its reader accepts it.
   */
  SHUTDOWN_CAUSE_MAX(21, EventCategory.SHUTDOWN, "SHUTDOWN_CAUSE__MAX (reserved)"),
  CHAR_WRITE(22, EventCategory.CHAR_WRITE, "EVENT_CHAR_WRITE"),
  CHAR_READ_ALL(23, EventCategory.CHAR_READ_ALL, "EVENT_CHAR_READ_ALL"),
  CHAR_READ_ALL_ERROR(24, EventCategory.CHAR_READ_ALL_ERROR, "EVENT_CHAR_READ_ALL_ERROR"),
  AUDIO_OUT(25, EventCategory.AUDIO_OUT, "EVENT_AUDIO_OUT"),
  AUDIO_IN(26, EventCategory.AUDIO_IN, "EVENT_AUDIO_IN"),
  RANDOM(27, EventCategory.RANDOM, "EVENT_RANDOM"),
  CLOCK_HOST(28, EventCategory.CLOCK, "CLOCK_HOST"),
  CLOCK_VIRTUAL_RT(29, EventCategory.CLOCK, "CLOCK_VIRTUAL_RT"),
  CHECKPOINT_CLOCK_WARP_START(30, EventCategory.CHECKPOINT, "CHECKPOINT_CLOCK_WARP_START"),
  CHECKPOINT_CLOCK_WARP_ACCOUNT(31, EventCategory.CHECKPOINT, "CHECKPOINT_CLOCK_WARP_ACCOUNT"),
  CHECKPOINT_RESET_REQUESTED(32, EventCategory.CHECKPOINT, "CHECKPOINT_RESET_REQUESTED"),
  CHECKPOINT_SUSPEND_REQUESTED(33, EventCategory.CHECKPOINT, "CHECKPOINT_SUSPEND_REQUESTED"),
  CHECKPOINT_CLOCK_VIRTUAL(34, EventCategory.CHECKPOINT, "CHECKPOINT_CLOCK_VIRTUAL"),
  CHECKPOINT_CLOCK_HOST(35, EventCategory.CHECKPOINT, "CHECKPOINT_CLOCK_HOST"),
  CHECKPOINT_CLOCK_VIRTUAL_RT(36, EventCategory.CHECKPOINT, "CHECKPOINT_CLOCK_VIRTUAL_RT"),
  CHECKPOINT_INIT(37, EventCategory.CHECKPOINT, "CHECKPOINT_INIT"),
  CHECKPOINT_RESET(38, EventCategory.CHECKPOINT, "CHECKPOINT_RESET"),
  END(39, EventCategory.END, "EVENT_END");

  private static final EventKind[] BY_CODE = values();

  static {
    for (EventKind kind : BY_CODE) {
      if (kind.code != kind.ordinal()) {
        throw new ExceptionInInitializerError("EventKind " + kind + " is out of code order");
      }
    }
  }

  private final int code;
  private final EventCategory category;
  private final String qemuName;

  EventKind(int code, EventCategory category, String qemuName) {
    this.code = code;
    this.category = category;
    this.qemuName = qemuName;
  }

  /** The byte QEMU writes for this event. */
  public int code() {
    return code;
  }

  public EventCategory category() {
    return category;
  }

  /** The name QEMU's own diagnostics use (replay_event_name()). */
  public String qemuName() {
    return qemuName;
  }

  /** Lookup by wire code without allocation; {@code null} for a code QEMU 10.0 never writes. */
  public static EventKind fromCodeOrNull(int code) {
    return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }

  public static Optional<EventKind> fromCode(int code) {
    return Optional.ofNullable(fromCodeOrNull(code));
  }

  /** Number of defined codes (EVENT_COUNT in QEMU). */
  public static int count() {
    return BY_CODE.length;
  }
}
