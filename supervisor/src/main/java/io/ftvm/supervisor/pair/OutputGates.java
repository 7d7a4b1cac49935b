package io.ftvm.supervisor.pair;

import io.ftvm.fencing.OutputGate;
import java.util.List;

/** Every way this node's VM talks to the world (network, console). */
interface OutputGates {

  /** Alone or live: outputs leave without waiting for a backup's ack. */
  void openUnprotected();

  /**
   * Re-protection: tag outputs with the new stream's positions and hold them for the new backup's
   * ack (outputs tagged 0, before the VM records into it, still flow). See {@link
   * HeldOutputGate#holdForNewStream}.
   */
  void holdForNewStream(OutputTagger newStream);

  /** What fencing closes first. */
  List<OutputGate> gates();
}
