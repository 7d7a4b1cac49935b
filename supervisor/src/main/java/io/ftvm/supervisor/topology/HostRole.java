package io.ftvm.supervisor.topology;

/** The machines of a pair topology; each one is a network namespace of its own. */
public enum HostRole {
  /** The host that starts as primary. */
  A("a"),
  /** The host that starts as backup. */
  B("b"),
  /** A client on the LAN that talks to the guest, as a user of the protected VM would. */
  CLIENT("c"),
  /**
   * An optional third supervisor host, the pair config's spare: the backup after a failover when
   * the failed host does not come back (only in a topology made {@link TopologySpec#withSpare}).
   */
  SPARE("s");

  private final String suffix;

  HostRole(String suffix) {
    this.suffix = suffix;
  }

  /** The short tag that ends the namespace name and names the host's switch port. */
  public String suffix() {
    return suffix;
  }

  /** Whether this host runs a supervisor and therefore has a bridge for the guest's TAP. */
  public boolean isPairMember() {
    return this != CLIENT;
  }
}
