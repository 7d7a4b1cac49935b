package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.topology.PairTopology;
import java.io.IOException;

/**
 * Chooses the go-live arbiter of a pair on this machine once its hosts (network namespaces) exist,
 * and connects them to it if needed.
 */
@FunctionalInterface
public interface ArbiterAttachment {

  /** The arbiter section for the pair's config; null means the shared directory. */
  ArbiterSpec attach(PairTopology topology) throws IOException;

  /** The default: a local directory as shared storage, nothing to connect. */
  static ArbiterAttachment sharedDirectory() {
    return topology -> null;
  }
}
