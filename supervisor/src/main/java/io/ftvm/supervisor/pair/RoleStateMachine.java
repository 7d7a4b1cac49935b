package io.ftvm.supervisor.pair;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only place a node's role changes. Transitions not drawn in shared/design.md are refused, so a
 * bug elsewhere cannot, say, take a halted node live again.
 */
public final class RoleStateMachine {
  private static final Logger log = LoggerFactory.getLogger(RoleStateMachine.class);

  private static final Map<NodeRole, Set<NodeRole>> ALLOWED =
      Map.of(
          NodeRole.STARTING,
              EnumSet.of(
                  NodeRole.PRIMARY_PROTECTED,
                  NodeRole.PRIMARY_ALONE,
                  NodeRole.BACKUP_REPLAYING,
                  NodeRole.JOINING,
                  // A recording primary whose backup never followed (e.g. refused its disks).
                  NodeRole.GOING_LIVE,
                  NodeRole.HALTED),
          NodeRole.PRIMARY_PROTECTED, EnumSet.of(NodeRole.GOING_LIVE, NodeRole.HALTED),
          NodeRole.BACKUP_REPLAYING, EnumSet.of(NodeRole.GOING_LIVE, NodeRole.HALTED),
          NodeRole.GOING_LIVE, EnumSet.of(NodeRole.PRIMARY_ALONE, NodeRole.HALTED),
          NodeRole.PRIMARY_ALONE, EnumSet.of(NodeRole.REPROTECTING, NodeRole.HALTED),
          // After the switch the new backup may already replay epoch+1, so a loss from then on
          // claims that epoch (GOING_LIVE), never a silent return to PRIMARY_ALONE.
          NodeRole.REPROTECTING,
              EnumSet.of(
                  NodeRole.PRIMARY_PROTECTED,
                  NodeRole.PRIMARY_ALONE,
                  NodeRole.GOING_LIVE,
                  NodeRole.HALTED),
          NodeRole.JOINING, EnumSet.of(NodeRole.CLONING, NodeRole.HALTED),
          // A failed clone discards the partial copy and offers again: JOINING, never replaying.
          NodeRole.CLONING,
              EnumSet.of(NodeRole.BACKUP_REPLAYING, NodeRole.JOINING, NodeRole.HALTED),
          NodeRole.HALTED, EnumSet.noneOf(NodeRole.class));

  private final CopyOnWriteArrayList<BiConsumer<NodeRole, NodeRole>> listeners =
      new CopyOnWriteArrayList<>();
  private NodeRole role = NodeRole.STARTING;
  private String reason = "starting";

  public synchronized NodeRole role() {
    return role;
  }

  public synchronized String reason() {
    return reason;
  }

  /**
   * Moves to {@code next} if the design allows it from the current role.
   *
   * @return false (and nothing changes) if the transition is not allowed, e.g. a second peer-lost
   *     report while already going live
   */
  public boolean transition(NodeRole next, String why) {
    NodeRole previous;
    synchronized (this) {
      if (!ALLOWED.get(role).contains(next)) {
        log.debug("refused role change {} -> {} ({})", role, next, why);
        return false;
      }
      previous = role;
      role = next;
      reason = why;
    }
    log.info("role {} -> {}: {}", previous, next, why);
    listeners.forEach(l -> l.accept(previous, next));
    return true;
  }

  /**
   * Says what the node is doing now without changing its role (e.g. which step of a go-live it
   * waits on), so {@code status} stays meaningful during long steps. Listeners see (role, role).
   */
  public void explain(String why) {
    NodeRole current;
    synchronized (this) {
      if (why.equals(reason)) {
        return;
      }
      reason = why;
      current = role;
    }
    log.debug("role {}: {}", current, why);
    listeners.forEach(l -> l.accept(current, current));
  }

  public void onChange(BiConsumer<NodeRole, NodeRole> listener) {
    listeners.add(listener);
  }
}
