package io.ftvm.faults;

/**
 * When a fault was in force, in epoch milliseconds: from the injection to the moment the resource
 * came back (the same instant for a kill, which nothing undoes).
 */
public record FaultWindow(long startMillis, long endMillis) {
  static FaultWindow instant(long at) {
    return new FaultWindow(at, at);
  }
}
