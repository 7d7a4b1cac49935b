package io.ftvm.supervisor.metrics;

import io.ftvm.supervisor.pair.NodeRole;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Counts completed go-lives (GOING_LIVE to PRIMARY_ALONE): every time this node took over as the
 * live primary, after a peer loss, a planned handoff or a primary continuing alone. Scrapes are
 * seconds apart and GOING_LIVE lasts milliseconds, so it listens to role changes instead of
 * sampling the role.
 */
public final class FailoverCounter implements BiConsumer<NodeRole, NodeRole> {
  private final AtomicLong failovers = new AtomicLong();
  private final AtomicLong halts = new AtomicLong();

  @Override
  public void accept(NodeRole from, NodeRole to) {
    if (from == NodeRole.GOING_LIVE && to == NodeRole.PRIMARY_ALONE) {
      failovers.incrementAndGet();
    } else if (from != NodeRole.HALTED && to == NodeRole.HALTED) {
      halts.incrementAndGet();
    }
  }

  public long failovers() {
    return failovers.get();
  }

  public long halts() {
    return halts.get();
  }
}
