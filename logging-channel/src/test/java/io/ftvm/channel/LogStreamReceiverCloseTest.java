package io.ftvm.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * A backup going live closes its receiver while its feeder still hands log to QEMU and acks it;
 * those late acks must be harmless (issue 7: they used to kill the feeder thread with
 * RejectedExecutionException and leave the node stuck in GOING_LIVE).
 */
class LogStreamReceiverCloseTest {

  private static LogStreamReceiver receiver() {
    return new LogStreamReceiver(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
        new NodeIdentity("node-b", "vm-test", 1),
        PreSharedKey.of(new byte[48]),
        ChannelSettings.defaults(),
        (LogStreamListener) (startPosition, data) -> {},
        0);
  }

  @Test
  void anAckAfterCloseIsANoOp() throws Exception {
    LogStreamReceiver receiver = receiver();
    receiver.start();
    receiver.close();

    assertThatCode(() -> receiver.ack(0)).doesNotThrowAnyException();
  }

  @Test
  void aControlMessageAfterCloseIsNotSent() throws Exception {
    LogStreamReceiver receiver = receiver();
    receiver.start();
    receiver.close();

    assertThat(receiver.sendControl(new ControlMessage(ControlType.PEER_FAILED, 0))).isFalse();
  }
}
