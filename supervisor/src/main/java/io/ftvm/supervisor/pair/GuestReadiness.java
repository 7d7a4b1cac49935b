package io.ftvm.supervisor.pair;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;

/**
 * Decides from the guest's console whether it is up, when it prints a ready line (the test guest
 * prints {@code FTVM ready ...}; a real guest usually prints nothing ftvm knows): fed the console
 * bytes as they appear in the node's console log, it looks for a line starting with the prefix.
 * Without a prefix the guest's readiness stays unknown, and that is said rather than guessed.
 */
public final class GuestReadiness {
  /** Longer lines are cut: the ready line is short, and a runaway line must not grow memory. */
  private static final int MAX_LINE = 4096;

  private final String prefix;
  private final LongSupplier millisSinceStart;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private volatile long upAfterMillis = -1;

  /**
   * @param prefix the ready line's start, or null when the guest prints none
   * @param millisSinceStart how long this node has run, for "up after N s"
   */
  public GuestReadiness(String prefix, LongSupplier millisSinceStart) {
    this.prefix = prefix == null || prefix.isEmpty() ? null : prefix;
    this.millisSinceStart = millisSinceStart;
  }

  /** Console bytes, in order. */
  public synchronized void accept(byte[] bytes) {
    if (prefix == null || upAfterMillis >= 0) {
      return;
    }
    for (byte b : bytes) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1).replace("\r", "");
        line.reset();
        if (text.startsWith(prefix)) {
          upAfterMillis = millisSinceStart.getAsLong();
          return;
        }
      } else if (line.size() < MAX_LINE) {
        line.write(b);
      }
    }
  }

  public GuestView.Readiness readiness() {
    if (prefix == null) {
      return GuestView.Readiness.UNKNOWN;
    }
    return upAfterMillis >= 0 ? GuestView.Readiness.UP : GuestView.Readiness.BOOTING;
  }

  /** For people: how readiness is decided and, once up, when. */
  public String detail() {
    if (prefix == null) {
      return "no ready line configured";
    }
    long up = upAfterMillis;
    return up >= 0
        ? String.format("ready line seen %.1f s after start", up / 1000.0)
        : "waiting for a console line starting with \"" + prefix.strip() + "\"";
  }
}
