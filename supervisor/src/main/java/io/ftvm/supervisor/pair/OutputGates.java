package io.ftvm.supervisor.pair;

import io.ftvm.fencing.OutputGate;
import java.util.List;

/** Every way this node's VM talks to the world (network, console). */
interface OutputGates {

  /** Alone or live: outputs leave without waiting for a backup's ack. */
  void openUnprotected();

  /** What fencing closes first. */
  List<OutputGate> gates();
}
