package io.ftvm.replay;

import java.util.EnumMap;
import java.util.Map;

/** Mutable per-kind tallies behind {@link StreamingEventParser}; arrays indexed by event code. */
final class LogCounters {
  private final long[] counts = new long[EventKind.count()];
  private final long[] bytes = new long[EventKind.count()];
  private long events;
  private long instructions;
  private long firstHostClock = Long.MIN_VALUE;
  private long lastHostClock = Long.MIN_VALUE;
  private long firstVirtualRtClock = Long.MIN_VALUE;
  private long lastVirtualRtClock = Long.MIN_VALUE;

  void record(EventKind kind, int length, long argument) {
    counts[kind.code()]++;
    bytes[kind.code()] += length;
    events++;
    if (kind == EventKind.INSTRUCTION) {
      instructions += argument;
    } else if (kind == EventKind.CLOCK_HOST) {
      if (firstHostClock == Long.MIN_VALUE) {
        firstHostClock = argument;
      }
      lastHostClock = argument;
    } else if (kind == EventKind.CLOCK_VIRTUAL_RT) {
      if (firstVirtualRtClock == Long.MIN_VALUE) {
        firstVirtualRtClock = argument;
      }
      lastVirtualRtClock = argument;
    }
  }

  long count(EventKind kind) {
    return counts[kind.code()];
  }

  long bytes(EventKind kind) {
    return bytes[kind.code()];
  }

  long events() {
    return events;
  }

  long instructions() {
    return instructions;
  }

  /**
   * The host clock (QEMU_CLOCK_HOST, wall-clock ns) spans the recording best; the virtual_rt clock
   * (monotonic ns) is the fallback. Both are only logged when the guest reads them.
   */
  private long clockSpanNanos() {
    if (firstHostClock != Long.MIN_VALUE && lastHostClock > firstHostClock) {
      return lastHostClock - firstHostClock;
    }
    if (firstVirtualRtClock != Long.MIN_VALUE && lastVirtualRtClock > firstVirtualRtClock) {
      return lastVirtualRtClock - firstVirtualRtClock;
    }
    return -1;
  }

  LogStats snapshot(
      long version,
      long reserved,
      boolean unfinalized,
      long bytesSeen,
      long boundary,
      boolean endSeen) {
    Map<EventKind, LogStats.KindStats> perKind = new EnumMap<>(EventKind.class);
    for (EventKind kind : EventKind.values()) {
      if (counts[kind.code()] > 0) {
        perKind.put(kind, new LogStats.KindStats(counts[kind.code()], bytes[kind.code()]));
      }
    }
    return new LogStats(
        version,
        reserved,
        unfinalized,
        bytesSeen,
        boundary,
        events,
        instructions,
        endSeen,
        perKind,
        clockSpanNanos());
  }
}
