package io.ftvm.channel;

/** Reasons carried in ERROR frames and reported to listeners when a session is refused or ends. */
public enum ErrorCode {
  MALFORMED_FRAME(1),
  FRAME_TOO_LARGE(2),
  UNKNOWN_FRAME_TYPE(3),
  VERSION_MISMATCH(4),
  NOT_AUTHENTICATED(5),
  AUTH_FAILED(6),
  BAD_MAC(7),
  HANDSHAKE_TIMEOUT(8),
  IDENTITY_MISMATCH(9),
  LOG_GAP(10),
  POSITION_CONFLICT(11),
  SOURCE_UNAVAILABLE(12),
  SUPERSEDED(13),
  SHUTDOWN(14),
  INTERNAL(15),
  /** TLS handshake or record failure (mutual-TLS mode); never sent, TLS alerts say it. */
  TLS_FAILED(16);

  private final int wireCode;

  ErrorCode(int wireCode) {
    this.wireCode = wireCode;
  }

  public int wireCode() {
    return wireCode;
  }

  /** Unknown codes from a newer peer map to {@link #INTERNAL} so the message is still shown. */
  static ErrorCode fromWire(int code) {
    for (ErrorCode errorCode : values()) {
      if (errorCode.wireCode == code) {
        return errorCode;
      }
    }
    return INTERNAL;
  }
}
