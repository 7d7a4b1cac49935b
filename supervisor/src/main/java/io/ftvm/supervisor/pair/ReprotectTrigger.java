package io.ftvm.supervisor.pair;

import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.PairingRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices a backup host that became available: while this node is alone it reads the latest pairing
 * offer on shared storage (a joining node reserves an epoch above every used one and offers its
 * clone target there) and starts re-protection when the offer is from its peer and newer than its
 * own epoch. Called periodically and on {@code ftvm protect}.
 */
final class ReprotectTrigger {
  private static final Logger log = LoggerFactory.getLogger(ReprotectTrigger.class);

  private final PairingLedger ledger;
  private final String vmId;
  private final String peer;
  private final LongSupplier currentEpoch;
  private final Supplier<NodeRole> role;
  private final Function<PairingRecord, String> start;
  private String lastReport;

  /**
   * @param start starts re-protection; returns why not, or null if it started
   */
  ReprotectTrigger(
      PairingLedger ledger,
      String vmId,
      String peer,
      LongSupplier currentEpoch,
      Supplier<NodeRole> role,
      Function<PairingRecord, String> start) {
    this.ledger = ledger;
    this.vmId = vmId;
    this.peer = peer;
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
          "no backup host has offered itself yet (start or restart "
              + peer
              + "'s daemon; it joins empty)");
    }
    PairingRecord offer = latest.get();
    if (!offer.joinerNodeId().equals(peer)) {
      return report(
          "ignoring the offer of "
              + offer.joinerNodeId()
              + " for epoch "
              + offer.epoch()
              + ": not this pair's other node "
              + peer);
    }
    String whyNot = start.apply(offer);
    if (whyNot != null) {
      return report("offer of " + peer + " for epoch " + offer.epoch() + ": " + whyNot);
    }
    lastReport = null;
    String started = "re-protecting: " + peer + " offered epoch " + offer.epoch();
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
}
