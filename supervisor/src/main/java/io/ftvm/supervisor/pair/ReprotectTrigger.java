package io.ftvm.supervisor.pair;

import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.PairingRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a backup host that became available: while this node is alone it reads the latest pairing
 * offer on shared storage (a joining node reserves an epoch above every used one and offers its
 * clone target there) and starts re-protection when the offer is newer than its own epoch and from
 * a node of the config other than itself: the old peer coming back, or a spare (issue 8). An offer
 * by a name the config does not know is refused: its certificate would not be the pair's, and its
 * endpoints are nobody's the admin listed. Called periodically and on {@code ftvm protect}.
 */
final class ReprotectTrigger {
  private static final Logger log = LoggerFactory.getLogger(ReprotectTrigger.class);

  private final PairingLedger ledger;
  private final String vmId;
  private final String self;
  private final Predicate<String> configured;
  private final String candidates;
  private final LongSupplier currentEpoch;
  private final Supplier<NodeRole> role;
  private final Function<PairingRecord, String> start;
  private String lastReport;

  /**
   * @param self this node: its own offer (from an earlier life of its daemon) is not a backup
   * @param configured whether a node id is one of the config's nodes or spares
   * @param candidates who may offer, for the log ("b or spare c")
   * @param start starts re-protection; returns why not, or null if it started
   */
  ReprotectTrigger(
      PairingLedger ledger,
      String vmId,
      String self,
      Predicate<String> configured,
      String candidates,
      LongSupplier currentEpoch,
      Supplier<NodeRole> role,
      Function<PairingRecord, String> start) {
    this.ledger = ledger;
    this.vmId = vmId;
    this.self = self;
    this.configured = configured;
    this.candidates = candidates;
    this.currentEpoch = currentEpoch;
    this.role = role;
    this.start = start;
  }

  /**
   * Looks once.
   *
   * @return what happened, for {@code ftvm protect} and the log: "started …", or why not
   */
  synchronized String poll() {
    if (role.get() != NodeRole.PRIMARY_ALONE) {
      return report("nothing to do: this node is " + role.get());
    }
    Optional<PairingRecord> latest;
    try {
      latest = ledger.latest(vmId);
    } catch (StorageUnavailableException e) {
      return report("cannot read pairing offers: " + e.getMessage());
    }
    if (latest.isEmpty() || latest.get().epoch() <= currentEpoch.getAsLong()) {
      return report(
          "no backup host has offered itself yet (start or restart the daemon of "
              + candidates
              + "; it joins empty)");
    }
    PairingRecord offer = latest.get();
    String joiner = offer.joinerNodeId();
    if (joiner.equals(self)) {
      return report(
          "ignoring the offer for epoch "
              + offer.epoch()
              + ": it is this node's own (an earlier run of its daemon)");
    }
    if (!configured.test(joiner)) {
      return warn(
          "refusing the offer of unknown node '"
              + joiner
              + "' for epoch "
              + offer.epoch()
              + ": not a node or spare of this pair's config (may offer: "
              + candidates
              + ")");
    }
    String whyNot = start.apply(offer);
    if (whyNot != null) {
      return report("offer of " + joiner + " for epoch " + offer.epoch() + ": " + whyNot);
    }
    lastReport = null;
    String started = "re-protecting: " + joiner + " offered epoch " + offer.epoch();
    log.info("{}", started);
    return started;
  }

  /** Logs a reason once, not on every poll. */
  private String report(String what) {
    if (!what.equals(lastReport)) {
      lastReport = what;
      log.info("re-protection: {}", what);
    }
    return what;
  }

  /** Something the admin should look at (a stranger on shared storage), also logged once. */
  private String warn(String what) {
    if (!what.equals(lastReport)) {
      lastReport = what;
      log.warn("re-protection: {}", what);
    }
    return what;
  }
}
