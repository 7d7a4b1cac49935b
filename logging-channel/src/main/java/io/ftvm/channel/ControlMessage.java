package io.ftvm.channel;

/** A control message with the log position it refers to. */
public record ControlMessage(ControlType type, long position) {
  public ControlMessage {
    if (type == null) {
      throw new IllegalArgumentException("control type must not be null");
    }
    if (position < 0) {
      throw new IllegalArgumentException("position must be >= 0, got " + position);
    }
  }
}
