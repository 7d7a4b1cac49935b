package io.ftvm.faults;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The order of the campaign's faults: the selected faults in blocks, each block shuffled by a
 * generator seeded with {@code --seed}. The same seed gives the same order, and every fault comes
 * up once before any comes up twice, so even a short campaign covers every selected fault.
 */
final class FaultSchedule {
  private FaultSchedule() {}

  static List<CampaignFault> order(List<CampaignFault> faults, int rounds, long seed) {
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("no faults selected");
    }
    Random random = new Random(seed);
    List<CampaignFault> order = new ArrayList<>();
    while (order.size() < rounds) {
      List<CampaignFault> block = new ArrayList<>(faults);
      Collections.shuffle(block, random);
      order.addAll(block);
    }
    return List.copyOf(order.subList(0, rounds));
  }
}
