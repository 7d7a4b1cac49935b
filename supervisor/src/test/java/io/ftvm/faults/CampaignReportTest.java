package io.ftvm.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CampaignReportTest {
  @Test
  void aRowPerFaultTypeATotalAndTheCountsOnTheLastLine() {
    CampaignReport report = new CampaignReport();
    report.add(new CampaignReport.RoundResult("kill-host-a", true, 600, 40_000));
    report.add(new CampaignReport.RoundResult("kill-host-a", true, 900, 40_000));
    report.add(new CampaignReport.RoundResult("kill-host-a", false, 7000, 40_000));
    report.add(new CampaignReport.RoundResult("none", false, -1, 50_000));

    String table = report.render(List.of("none", "kill-host-a", "link-down"));
    List<String> lines = table.lines().toList();

    assertThat(lines.get(0)).contains("fault", "rounds", "passed", "failed", "p50", "max");
    assertThat(lines.get(1).split("\\s+")).containsExactly("none", "1", "0", "1", "-", "-");
    assertThat(lines.get(2).split("\\s+"))
        .containsExactly("kill-host-a", "3", "2", "1", "900", "ms", "7000", "ms");
    assertThat(lines.get(3).split("\\s+"))
        .containsExactly("all", "4", "2", "2", "900", "ms", "7000", "ms");
    assertThat(table).doesNotContain("link-down");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("2 passed, 2 failed");
    assertThat(report.failed()).isEqualTo(2);
  }

  @Test
  void aLongLivedPairsTableShowsTheReprotectionTimes() {
    CampaignReport report = new CampaignReport();
    report.add(new CampaignReport.RoundResult("kill-host-a", true, 600, 40_000, 21_000));
    report.add(new CampaignReport.RoundResult("kill-host-a", true, 900, 40_000, 25_000));
    report.add(new CampaignReport.RoundResult("none", true, -1, 20_000, -1));

    List<String> lines = report.render(List.of("none", "kill-host-a"), true).lines().toList();

    assertThat(lines.get(0)).contains("fault->live p50", "reprotect p50");
    assertThat(lines.get(1).split("\\s+"))
        .containsExactly("none", "1", "1", "0", "-", "-", "-", "-");
    assertThat(lines.get(2).split("\\s+"))
        .containsExactly(
            "kill-host-a", "2", "2", "0", "600", "ms", "900", "ms", "21000", "ms", "25000", "ms");
  }
}
