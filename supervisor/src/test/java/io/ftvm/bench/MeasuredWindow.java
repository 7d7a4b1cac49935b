package io.ftvm.bench;

/**
 * When the client measured, in epoch milliseconds (client and bench share the machine's clock): the
 * echo phase runs from {@code startMillis} to {@code kvStartMillis}, the kv phase from there to
 * {@code endMillis}.
 */
record MeasuredWindow(long startMillis, long kvStartMillis, long endMillis) {
  MeasuredWindow {
    if (!(startMillis <= kvStartMillis && kvStartMillis <= endMillis)) {
      throw new IllegalArgumentException(
          "client window out of order: start "
              + startMillis
              + ", kv start "
              + kvStartMillis
              + ", end "
              + endMillis);
    }
  }
}
