package io.ftvm.supervisor.pair;

import java.nio.ByteBuffer;

/** Where a primary's whole-event log chunks go after they are in its own log store. */
@FunctionalInterface
public interface LogShipper {
  /** Ships {@code chunk} which starts at {@code startPosition}; may block for flow control. */
  void ship(long startPosition, ByteBuffer chunk) throws InterruptedException;

  /** Alone: the log is kept locally but nobody needs it. */
  LogShipper NOBODY = (position, chunk) -> {};
}
