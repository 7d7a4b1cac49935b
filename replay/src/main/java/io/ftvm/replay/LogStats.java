package io.ftvm.replay;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a replay log contains, as counted by {@link StreamingEventParser}.
 *
 * @param headerVersion version field of the header (0 when unfinalized)
 * @param headerReserved the u64 after the version (0 in QEMU 10.0 logs)
 * @param headerUnfinalized whether the header still had version 0
 * @param bytesSeen bytes read
 * @param lastCompleteBoundary offset just past the last complete event
 * @param events number of complete events
 * @param instructions sum of INSTRUCTION counts (guest instructions covered by the log)
 * @param endSeen whether the log ends with an END event
 * @param perKind counts and bytes of every kind that occurred
 * @param clockSpanNanos span between first and last logged CLOCK value, -1 if unknown
 */
public record LogStats(
    long headerVersion,
    long headerReserved,
    boolean headerUnfinalized,
    long bytesSeen,
    long lastCompleteBoundary,
    long events,
    long instructions,
    boolean endSeen,
    Map<EventKind, KindStats> perKind,
    long clockSpanNanos) {

  /** Count and total bytes (code byte included) of one event kind. */
  public record KindStats(long count, long bytes) {}

  public LogStats {
    Map<EventKind, KindStats> copy = new EnumMap<>(EventKind.class);
    copy.putAll(perKind);
    perKind = Collections.unmodifiableMap(copy);
  }

  public long count(EventKind kind) {
    KindStats stats = perKind.get(kind);
    return stats == null ? 0 : stats.count();
  }

  public long bytes(EventKind kind) {
    KindStats stats = perKind.get(kind);
    return stats == null ? 0 : stats.bytes();
  }

  /** Estimated recorded wall time in seconds from CLOCK events; NaN if the log has too few. */
  public double durationSeconds() {
    return clockSpanNanos > 0 ? clockSpanNanos / 1e9 : Double.NaN;
  }

  /** Log bytes per recorded second; NaN without a duration estimate. */
  public double bytesPerSecond() {
    return bytesSeen / durationSeconds();
  }

  public double eventsPerSecond() {
    return events / durationSeconds();
  }

  public double instructionsPerSecond() {
    return instructions / durationSeconds();
  }

  /** Multi-line report for {@code ftvm log inspect}. */
  public String render() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "header      : version 0x%x%s, reserved 0x%x%n",
            headerVersion,
            headerUnfinalized ? " (UNFINALIZED: recorder still running or died)" : "",
            headerReserved));
    out.append(
        String.format(
            Locale.ROOT,
            "size        : %,d bytes, last complete event ends at %,d%s%n",
            bytesSeen,
            lastCompleteBoundary,
            bytesSeen == lastCompleteBoundary
                ? ""
                : " (" + (bytesSeen - lastCompleteBoundary) + " trailing bytes)"));
    out.append(
        String.format(
            Locale.ROOT,
            "events      : %,d (%s)%n",
            events,
            endSeen ? "ends with END" : "no END event"));
    out.append(String.format(Locale.ROOT, "instructions: %,d%n", instructions));
    if (clockSpanNanos > 0) {
      out.append(
          String.format(
              Locale.ROOT,
              "duration    : ~%.3f s (from CLOCK events)%n"
                  + "rates       : %,.0f bytes/s (%.3f Mbit/s), %,.0f events/s, %,.0f instr/s%n",
              durationSeconds(),
              bytesPerSecond(),
              bytesPerSecond() * 8 / 1e6,
              eventsPerSecond(),
              instructionsPerSecond()));
    } else {
      out.append("duration    : unknown (fewer than two CLOCK events)\n");
    }
    out.append(
        String.format(
            Locale.ROOT, "%-6s %-34s %12s %14s %6s%n", "code", "kind", "count", "bytes", "bytes%"));
    for (Map.Entry<EventKind, KindStats> e : perKind.entrySet()) {
      EventKind kind = e.getKey();
      KindStats stats = e.getValue();
      out.append(
          String.format(
              Locale.ROOT,
              "0x%02x   %-34s %,12d %,14d %5.1f%%%n",
              kind.code(),
              kind.qemuName(),
              stats.count(),
              stats.bytes(),
              bytesSeen == 0 ? 0.0 : 100.0 * stats.bytes() / bytesSeen));
    }
    return out.toString();
  }
}
