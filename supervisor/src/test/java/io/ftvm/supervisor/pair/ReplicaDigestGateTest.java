package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplicaDigestGateTest {
  private final List<Long> acks = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private final ReplicaDigestGate gate = new ReplicaDigestGate(42, acks::add, refusals::add);

  @Test
  void noAckReachesThePrimaryBeforeItsDigestMatched() {
    gate.ack(100);
    gate.ack(250);
    assertThat(acks).isEmpty();

    gate.peerDigest(42);

    assertThat(acks).as("the latest withheld ack, once").containsExactly(250L);
    gate.ack(300);
    assertThat(acks).containsExactly(250L, 300L);
    assertThat(refusals).isEmpty();
  }

  @Test
  void aDifferentReplicaIsRefusedOnceAndNeverAcked() {
    gate.ack(100);

    gate.peerDigest(41);
    gate.peerDigest(41); // the primary's next session says it again
    gate.ack(200);

    assertThat(acks).isEmpty();
    assertThat(refusals).hasSize(1);
    assertThat(refusals.get(0)).contains("replica disks differ").contains("000000000000002a");
  }

  @Test
  void aLaterSessionsSameDigestChangesNothing() {
    gate.peerDigest(42);
    gate.peerDigest(42);
    gate.ack(10);
    assertThat(acks).containsExactly(10L);
    assertThat(gate.verified()).isTrue();
  }
}
