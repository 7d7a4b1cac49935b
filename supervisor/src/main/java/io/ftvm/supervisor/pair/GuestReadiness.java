package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.vm.ReadinessProbe;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * Decides whether the guest is up, by its readiness probe: a console line matching a pattern (the
 * test guest prints {@code FTVM ready ...}), fed the console bytes as they appear in the node's
 * console log, or a TCP port that accepted a connection ({@link TcpReadinessProbe} reports it
 * here). Without a probe the guest's readiness stays unknown, and that is said rather than guessed.
 * Once up, it stays up: this is "guest up" for {@code start}, not a health check.
 */
public final class GuestReadiness {
  /** Longer lines are cut: the ready line is short, and a runaway line must not grow memory. */
  private static final int MAX_LINE = 4096;

  private final ReadinessProbe probe;
  private final Pattern consoleLine;
  private final LongSupplier millisSinceStart;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream();
  private volatile long upAfterMillis = -1;
  private volatile String upBecause = "";

  /**
   * @param probe how the guest is seen to be up; empty when it cannot be told
   * @param millisSinceStart how long this node has run, for "up after N s"
   */
  public GuestReadiness(Optional<ReadinessProbe> probe, LongSupplier millisSinceStart) {
    this.probe = probe.orElse(null);
    this.consoleLine =
        this.probe == null || this.probe.byTcp()
            ? null
            : Pattern.compile(this.probe.consolePattern());
    this.millisSinceStart = millisSinceStart;
  }

  /** The probe, if any (the TCP prober needs its port). */
  public Optional<ReadinessProbe> probe() {
    return Optional.ofNullable(probe);
  }

  /** Console bytes, in order. */
  public synchronized void accept(byte[] bytes) {
    if (consoleLine == null || upAfterMillis >= 0) {
      return;
    }
    for (byte b : bytes) {
      if (b == '\n') {
        String text = line.toString(StandardCharsets.ISO_8859_1).replace("\r", "");
        line.reset();
        if (consoleLine.matcher(text).find()) {
          up("console line \"" + abbreviate(text) + "\" seen");
          return;
        }
      } else if (line.size() < MAX_LINE) {
        line.write(b);
      }
    }
  }

  /** The TCP probe connected ({@code where}: e.g. "TCP 10.77.0.10:5432 accepted a connection"). */
  public synchronized void tcpAccepted(String where) {
    if (probe != null && probe.byTcp() && upAfterMillis < 0) {
      up(where);
    }
  }

  private void up(String because) {
    upBecause = because;
    upAfterMillis = millisSinceStart.getAsLong();
  }

  public boolean isUp() {
    return upAfterMillis >= 0;
  }

  public GuestView.Readiness readiness() {
    if (probe == null) {
      return GuestView.Readiness.UNKNOWN;
    }
    return upAfterMillis >= 0 ? GuestView.Readiness.UP : GuestView.Readiness.BOOTING;
  }

  /** For people: how readiness is decided and, once up, when. */
  public String detail() {
    if (probe == null) {
      return "no readiness probe configured";
    }
    long up = upAfterMillis;
    return up >= 0
        ? String.format("%s %.1f s after start", upBecause, up / 1000.0)
        : "waiting until " + probe.describe();
  }

  private static String abbreviate(String text) {
    String stripped = text.strip();
    return stripped.length() <= 60 ? stripped : stripped.substring(0, 57) + "...";
  }
}
