package io.ftvm.faults;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The campaign's summary: one row per fault type (rounds, passed, failed, fault->live p50 and max
 * over the rounds in which a node went live), a total row, and the last line {@code N passed, M
 * failed} that scripts and CI read.
 */
final class CampaignReport {
  /** One finished round, as the report needs it. */
  /**
   * @param reprotectMillis from the rejoin to protected again (a long-lived pair), or -1
   */
  record RoundResult(
      String fault,
      boolean passed,
      long faultToLiveMillis,
      long roundMillis,
      long reprotectMillis) {
    RoundResult(String fault, boolean passed, long faultToLiveMillis, long roundMillis) {
      this(fault, passed, faultToLiveMillis, roundMillis, -1);
    }
  }

  private final List<RoundResult> results = new ArrayList<>();

  void add(RoundResult result) {
    results.add(result);
  }

  long failed() {
    return results.stream().filter(r -> !r.passed()).count();
  }

  String render(List<String> faultOrder) {
    return render(faultOrder, false);
  }

  /**
   * @param withReprotection adds rejoin->protected p50 and max over the rounds that re-protected a
   *     long-lived pair
   */
  String render(List<String> faultOrder, boolean withReprotection) {
    Map<String, List<RoundResult>> byFault = new LinkedHashMap<>();
    faultOrder.forEach(f -> byFault.put(f, new ArrayList<>()));
    results.forEach(r -> byFault.computeIfAbsent(r.fault(), f -> new ArrayList<>()).add(r));
    StringBuilder out = new StringBuilder();
    String format =
        withReprotection
            ? "%-20s %6s %6s %6s %16s %10s %18s %10s%n"
            : "%-20s %6s %6s %6s %16s %13s%n";
    out.append(
        String.format(
            Locale.ROOT,
            format,
            "fault",
            "rounds",
            "passed",
            "failed",
            "fault->live p50",
            "max",
            "reprotect p50",
            "max"));
    byFault.forEach(
        (fault, rounds) -> {
          if (!rounds.isEmpty()) {
            out.append(row(format, fault, rounds));
          }
        });
    out.append(row(format, "all", results));
    long passed = results.size() - failed();
    double meanSeconds =
        results.stream().mapToLong(RoundResult::roundMillis).average().orElse(0) / 1000.0;
    out.append(String.format(Locale.ROOT, "mean round time: %.1f s%n", meanSeconds));
    out.append(passed).append(" passed, ").append(failed()).append(" failed\n");
    return out.toString();
  }

  private static String row(String format, String fault, List<RoundResult> rounds) {
    long passed = rounds.stream().filter(RoundResult::passed).count();
    List<Long> live =
        rounds.stream().map(RoundResult::faultToLiveMillis).filter(m -> m >= 0).sorted().toList();
    List<Long> reprotect =
        rounds.stream().map(RoundResult::reprotectMillis).filter(m -> m >= 0).sorted().toList();
    // A format without the re-protection columns ignores the extra arguments.
    return String.format(
        Locale.ROOT,
        format,
        fault,
        rounds.size(),
        passed,
        rounds.size() - passed,
        median(live),
        max(live),
        median(reprotect),
        max(reprotect));
  }

  private static String median(List<Long> sorted) {
    return sorted.isEmpty() ? "-" : sorted.get((sorted.size() - 1) / 2) + " ms";
  }

  private static String max(List<Long> sorted) {
    return sorted.isEmpty() ? "-" : sorted.get(sorted.size() - 1) + " ms";
  }
}
