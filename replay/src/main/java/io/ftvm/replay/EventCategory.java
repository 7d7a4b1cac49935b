package io.ftvm.replay;

/** Groups of replay event codes that share a payload layout (see {@link EventKind}). */
public enum EventCategory {
  INSTRUCTION,
  INTERRUPT,
  EXCEPTION,
  ASYNC,
  SHUTDOWN,
  CHAR_WRITE,
  CHAR_READ_ALL,
  CHAR_READ_ALL_ERROR,
  AUDIO_OUT,
  AUDIO_IN,
  RANDOM,
  CLOCK,
  CHECKPOINT,
  END
}
