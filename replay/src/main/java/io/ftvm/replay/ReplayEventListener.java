package io.ftvm.replay;

import java.util.function.Consumer;

/**
 * Called by {@link StreamingEventParser} for each complete event. Primitive parameters keep the hot
 * path free of allocation; use {@link #of(Consumer)} where convenience beats that.
 */
@FunctionalInterface
public interface ReplayEventListener {

  /**
   * @param kind the event kind
   * @param offset absolute offset of the code byte
   * @param length total length including the code byte
   * @param argument see {@link ReplayEvent#argument()}
   */
  void onEvent(EventKind kind, long offset, int length, long argument);

  /** Adapter that materialises a {@link ReplayEvent} per event. */
  static ReplayEventListener of(Consumer<ReplayEvent> consumer) {
    return (kind, offset, length, argument) ->
        consumer.accept(new ReplayEvent(offset, length, kind, argument));
  }
}
