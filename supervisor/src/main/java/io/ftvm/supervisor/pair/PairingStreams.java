package io.ftvm.supervisor.pair;

import io.ftvm.lock.PairingRecord;
import java.io.IOException;

/** Opens the primary's side of a new pairing (see {@link PairingStream}). */
interface PairingStreams {
  PairingStream open(PairingRecord pairing, JoinOffer joiner) throws IOException;
}
