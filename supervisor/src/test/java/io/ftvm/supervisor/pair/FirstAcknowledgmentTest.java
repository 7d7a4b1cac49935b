package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FirstAcknowledgmentTest {
  private final List<Long> told = new ArrayList<>();
  private final FirstAcknowledgment first = new FirstAcknowledgment(told::add);

  @Test
  void theSessionsStartingPointIsNotAFollow() {
    first.accept(0);

    assertThat(told).isEmpty();
    assertThat(first.seen()).isFalse();
  }

  @Test
  void onlyTheFirstAckBeyondTheStartIsReported() {
    first.accept(0);
    first.accept(4096);
    first.accept(8192);

    assertThat(told).containsExactly(4096L);
    assertThat(first.seen()).isTrue();
  }

  /**
   * What the primary gets from a backup whose disks differ: no ack at all (ReplicaDigestGate keeps
   * them), so it is never protected; from a matching one the first released ack.
   */
  @Test
  void aBackupBehindTheDigestGateMakesThePrimaryProtectedOnlyAfterTheMatch() {
    ReplicaDigestGate refusing = new ReplicaDigestGate(1, first, why -> {});
    refusing.ack(4096);
    refusing.peerDigest(2);
    refusing.ack(8192);
    assertThat(told).as("a refusing backup never acks").isEmpty();

    ReplicaDigestGate matching = new ReplicaDigestGate(1, first, why -> {});
    matching.ack(4096);
    assertThat(told).as("nothing before the primary's digest arrived").isEmpty();
    matching.peerDigest(1);
    assertThat(told).containsExactly(4096L);
  }
}
