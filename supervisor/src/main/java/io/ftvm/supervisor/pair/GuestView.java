package io.ftvm.supervisor.pair;

/**
 * The guest as a node sees it, apart from the pair's state: whether it is up (only known with a
 * readiness probe: a console line it prints, or a TCP port it serves) and its IP address,
 * configured or seen in its own traffic.
 *
 * @param readiness up, booting, or unknown
 * @param detail how that was decided, for people
 * @param address the guest's IPv4 address, or empty while unknown
 * @param addressSource "configured", "learned from its traffic", or empty
 */
public record GuestView(Readiness readiness, String detail, String address, String addressSource) {

  /** Whether the guest is up: "protected" is the pair's state and says nothing about this. */
  public enum Readiness {
    /** The readiness probe saw the guest up (its console line, or its TCP port accepting). */
    UP,
    /** A readiness probe is configured and has not seen the guest up yet. */
    BOOTING,
    /** No readiness probe is configured: ftvm cannot tell whether the guest is up. */
    UNKNOWN
  }

  public static GuestView unknown() {
    return new GuestView(Readiness.UNKNOWN, "no readiness probe configured", "", "");
  }

  /** One line for a status table. */
  public String summary() {
    String state =
        switch (readiness) {
          case UP -> "up";
          case BOOTING -> "booting";
          case UNKNOWN -> "unknown";
        };
    String text = state + (detail.isEmpty() ? "" : " (" + detail + ")");
    return address.isEmpty() ? text : text + ", IP " + address + " (" + addressSource + ")";
  }
}
