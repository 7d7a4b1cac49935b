package io.ftvm.channel;

import io.netty.handler.ssl.NotSslRecordException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

/** Turns the JDK's TLS exceptions into reasons an admin can act on. */
final class TlsFailures {
  private TlsFailures() {}

  static boolean isTlsFailure(Throwable cause) {
    return find(cause, SSLException.class) != null;
  }

  static String describe(Throwable cause, boolean afterHandshake) {
    if (find(cause, NotSslRecordException.class) != null) {
      return "peer does not speak TLS (is it configured for psk mode, or not an ftvm node?)";
    }
    SSLException ssl = find(cause, SSLException.class);
    if (ssl == null && find(cause, ClosedChannelException.class) != null) {
      return (afterHandshake ? "TLS session" : "TLS handshake")
          + " ended: the peer closed the connection (it may have refused this node; its log says"
          + " why)";
    }
    String message = ssl == null ? String.valueOf(cause) : String.valueOf(ssl.getMessage());
    String phase = afterHandshake ? "TLS session" : "TLS handshake";
    if (message.contains("Empty client certificate chain")
        || message.contains("Empty server certificate chain")) {
      return phase
          + " refused: peer presented no certificate (mutual TLS requires one issued by the"
          + " pair's CA)";
    }
    if (message.startsWith("Received fatal alert")
        && (message.contains("bad_record_mac") || message.contains("decrypt_error"))) {
      return phase
          + " refused by the peer ("
          + message
          + "): a record from this node did not authenticate there (tampered with or replayed on"
          + " the way?)";
    }
    if (message.startsWith("Received fatal alert")) {
      return phase
          + " refused by the peer ("
          + message
          + "): it did not accept this node's certificate or handshake; its log says why";
    }
    if (message.contains("Tag mismatch")
        || message.contains("bad_record_mac")
        || message.contains("decrypt")
        || message.contains("Finished message")) {
      return phase
          + " failed: a record did not authenticate (bytes tampered with, replayed or injected"
          + " by a man in the middle): "
          + message;
    }
    if (ssl instanceof SSLHandshakeException) {
      return phase + " refused: " + message;
    }
    return phase + " failed: " + message;
  }

  private static <T extends Throwable> T find(Throwable cause, Class<T> type) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
