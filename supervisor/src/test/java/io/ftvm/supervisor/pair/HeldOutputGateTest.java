package io.ftvm.supervisor.pair;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeldOutputGateTest {
  private final List<String> released = new ArrayList<>();
  private final HeldOutputGate gate =
      new HeldOutputGate("test", out -> released.add(new String(out)), new LatencyRecorder(16));

  @Test
  void anOutputIsHeldUntilTheBackupAcknowledgedTheLogBeforeIt() {
    gate.submit(100, "a".getBytes());

    gate.acknowledge(99);
    assertThat(released).isEmpty();
    assertThat(gate.heldCount()).isEqualTo(1);

    gate.acknowledge(100);
    assertThat(released).containsExactly("a");
  }

  @Test
  void outputsLeaveInSubmissionOrderEvenWhenALaterOneCarriesAnEarlierPosition() {
    gate.submit(200, "first".getBytes());
    gate.submit(150, "second".getBytes()); // a racy tag must not let it overtake

    gate.acknowledge(150);
    assertThat(released).isEmpty();

    gate.acknowledge(200);
    assertThat(released).containsExactly("first", "second");
  }

  @Test
  void neverReleasesAnOutputWhosePositionIsNotAcknowledged() {
    Random random = new Random(42);
    long acked = 0;
    long[] positionOf = new long[2000];
    long position = 0;
    for (int i = 0; i < positionOf.length; i++) {
      position += random.nextInt(50);
      positionOf[i] = position;
      gate.submit(position, Integer.toString(i).getBytes());
      if (random.nextInt(4) == 0) {
        acked = Math.min(position, acked + random.nextInt(200));
        gate.acknowledge(acked);
      }
      for (String out : released) {
        assertThat(positionOf[Integer.parseInt(out)]).isLessThanOrEqualTo(acked);
      }
    }
    gate.acknowledge(position);
    assertThat(released).hasSize(positionOf.length);
    for (int i = 0; i < released.size(); i++) {
      assertThat(released.get(i)).isEqualTo(Integer.toString(i));
    }
  }

  @Test
  void openingForAPrimaryAloneReleasesEverythingHeldAndLetsNewOutputsThrough() {
    gate.submit(10, "held".getBytes());
    gate.openUnprotected();
    gate.submit(1_000_000, "new".getBytes());

    assertThat(released).containsExactly("held", "new");
  }

  @Test
  void aClosedGateNeverReleasesAnythingAgain() {
    gate.submit(10, "held".getBytes());
    gate.close();
    gate.acknowledge(100);
    gate.openUnprotected();
    gate.submit(1, "late".getBytes());

    assertThat(released).isEmpty();
    assertThat(gate.isClosed()).isTrue();
  }

  @Test
  void reprotectionLetsOutputsFlowUntilTheNewStreamStartsThenHoldsThemForTheNewBackup() {
    gate.submit(5000, "protected once".getBytes());
    gate.acknowledge(5000);
    gate.openUnprotected();
    gate.submit(9000, "alone".getBytes());

    gate.holdForNewStream();
    gate.submit(0, "copying".getBytes()); // the VM does not record into the new stream yet
    gate.submit(120, "after the switch".getBytes());

    assertThat(released).containsExactly("protected once", "alone", "copying");
    gate.acknowledge(119);
    assertThat(released).hasSize(3);
    gate.acknowledge(120);
    assertThat(released).endsWith("after the switch");
  }

  @Test
  void aClosedGateStaysClosedThroughReprotection() {
    gate.close();

    gate.holdForNewStream();
    gate.submit(0, "x".getBytes());

    assertThat(released).isEmpty();
  }
}
