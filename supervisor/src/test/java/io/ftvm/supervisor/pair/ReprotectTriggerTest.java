package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import io.ftvm.lock.PairingLedger;
import io.ftvm.lock.PairingRecord;
import io.ftvm.lock.StorageUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReprotectTriggerTest {
  private PairingRecord latest;
  private boolean unavailable;
  private final List<Long> started = new ArrayList<>();
  private final AtomicReference<NodeRole> role = new AtomicReference<>(NodeRole.PRIMARY_ALONE);
  private String refusal;

  private final PairingLedger ledger =
      new PairingLedger() {
        @Override
        public PairingRecord reserveNext(String vmId, String joiner, String offer, long atLeast) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Optional<PairingRecord> latest(String vmId) throws StorageUnavailableException {
          if (unavailable) {
            throw new StorageUnavailableException("/nfs did not answer");
          }
          return Optional.ofNullable(latest);
        }

        @Override
        public long highestEpoch(String vmId) {
          return latest == null ? -1 : latest.epoch();
        }
      };

  private final ReprotectTrigger trigger =
      new ReprotectTrigger(
          ledger,
          "vm1",
          "b",
          Set.of("a", "b", "c")::contains,
          "a or spare c",
          () -> 1,
          role::get,
          offer -> {
            if (refusal != null) {
              return refusal;
            }
            started.add(offer.epoch());
            return null;
          });

  private static PairingRecord offer(String node, long epoch) {
    return new PairingRecord("vm1", epoch, node, "x", Instant.now());
  }

  @Test
  void thePeersNewOfferStartsReprotection() {
    latest = offer("a", 2);

    assertThat(trigger.poll()).isEqualTo("re-protecting: a offered epoch 2");
    assertThat(started).containsExactly(2L);
  }

  @Test
  void anOfferNotAboveTheCurrentEpochIsStale() {
    latest = offer("a", 1);

    assertThat(trigger.poll()).contains("no backup host has offered itself yet");
    assertThat(started).isEmpty();
  }

  @Test
  void aSparesOfferStartsReprotectionToo() {
    latest = offer("c", 5);

    assertThat(trigger.poll()).isEqualTo("re-protecting: c offered epoch 5");
    assertThat(started).containsExactly(5L);
  }

  @Test
  void anOfferByANameTheConfigDoesNotKnowIsRefusedSayingWhoMayOffer() {
    latest = offer("mallory", 5);

    assertThat(trigger.poll())
        .isEqualTo(
            "refusing the offer of unknown node 'mallory' for epoch 5: not a node or spare of"
                + " this pair's config (may offer: a or spare c)");
    assertThat(started).isEmpty();
  }

  @Test
  void thisNodesOwnOfferIsNoBackup() {
    latest = offer("b", 3);

    assertThat(trigger.poll()).contains("it is this node's own");
    assertThat(started).isEmpty();
  }

  @Test
  void withNoOfferTheReportNamesEveryCandidate() {
    assertThat(trigger.poll())
        .isEqualTo(
            "no backup host has offered itself yet (start or restart the daemon of a or spare c;"
                + " it joins empty)");
  }

  @Test
  void onlyAnAloneNodeLooks() {
    latest = offer("a", 2);
    role.set(NodeRole.PRIMARY_PROTECTED);

    assertThat(trigger.poll()).contains("this node is PRIMARY_PROTECTED");
    assertThat(started).isEmpty();
  }

  @Test
  void aRefusalSuchAsBackoffIsReported() {
    latest = offer("a", 2);
    refusal = "retrying in 1500 ms (backoff)";

    assertThat(trigger.poll()).isEqualTo("offer of a for epoch 2: retrying in 1500 ms (backoff)");
    assertThat(started).isEmpty();
  }

  @Test
  void unreachableStorageStartsNothing() {
    latest = offer("a", 2);
    unavailable = true;

    assertThat(trigger.poll()).contains("cannot read pairing offers");
    assertThat(started).isEmpty();
  }
}
