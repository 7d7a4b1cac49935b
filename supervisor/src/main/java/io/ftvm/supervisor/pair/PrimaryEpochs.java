package io.ftvm.supervisor.pair;

/**
 * The primary's epoch-bound parts (claim, continue-alone, handoff, log), as re-protection switches
 * them to the new pairing.
 */
interface PrimaryEpochs {

  /** Going on alone from the new pairing: claims the new epoch and stops shipping its stream. */
  PrimaryContinueAlone continueAloneFor(PairingStream stream);

  /** The new pairing is this node's pairing now: its epoch, its log, its peer-loss handling. */
  void adopt(PairingStream stream, ReplicaCloner.Outcome clone);
}
