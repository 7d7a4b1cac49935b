package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The guest a local pair runs: what goes into the pair config and how each node gets its own copies
 * of the guest's disks.
 */
public interface PairGuest {

  /**
   * The guest as both nodes run it.
   *
   * @param guestCidr the address the pair's LAN reserves for the guest (the test guest takes it on
   *     its command line; a described guest configures its own)
   * @param reservedMac the MAC the pair's LAN reserves for a guest that brings none
   */
  PairConfig.GuestSpec spec(String guestCidr, String reservedMac) throws IOException;

  /**
   * Copies the guest's disks into {@code nodeDirectory}, sparsely; returns the copies in the
   * guest's order (the first is the node's {@link PairConfig.NodeSpec#disk}).
   */
  List<Path> copyDisksInto(Path nodeDirectory) throws IOException;

  /** For logs: what the guest is. */
  String describe();
}
