package io.ftvm.channel;

/** Which end of the logging channel a node plays. */
public enum Role {
  PRIMARY(1),
  BACKUP(2);

  private final int wireCode;

  Role(int wireCode) {
    this.wireCode = wireCode;
  }

  public int wireCode() {
    return wireCode;
  }

  public Role peer() {
    return this == PRIMARY ? BACKUP : PRIMARY;
  }

  static Role fromWire(int code) {
    for (Role role : values()) {
      if (role.wireCode == code) {
        return role;
      }
    }
    throw new ProtocolException(ErrorCode.MALFORMED_FRAME, "unknown role code " + code);
  }
}
