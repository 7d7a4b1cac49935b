package io.ftvm.channel;

/** The type byte that follows the length prefix of every frame. */
public enum FrameType {
  HELLO(1),
  AUTH_CHALLENGE(2),
  AUTH_RESPONSE(3),
  LOG(4),
  ACK(5),
  HEARTBEAT(6),
  CONTROL(7),
  ERROR(8);

  private final int wireCode;

  FrameType(int wireCode) {
    this.wireCode = wireCode;
  }

  public int wireCode() {
    return wireCode;
  }

  /** Frames that may travel before the session is authenticated. */
  boolean allowedBeforeAuthentication() {
    return this == HELLO || this == AUTH_CHALLENGE || this == AUTH_RESPONSE || this == ERROR;
  }

  static FrameType fromWire(int code) {
    for (FrameType type : values()) {
      if (type.wireCode == code) {
        return type;
      }
    }
    throw new ProtocolException(
        ErrorCode.UNKNOWN_FRAME_TYPE, "unknown frame type 0x" + Integer.toHexString(code));
  }
}
