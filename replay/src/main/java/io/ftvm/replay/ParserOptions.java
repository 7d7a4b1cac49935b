package io.ftvm.replay;

/**
 * Knobs of {@link StreamingEventParser}.
 *
 * @param allowUnfinalizedHeader accept a header whose version is 0. Stock QEMU writes the version
 *     only when it exits, so a log that is still being recorded, or whose recorder died, starts
 *     with 12 zero bytes. The parser reports such a header through {@link
 *     StreamingEventParser#headerUnfinalized()}.
 * @param maxArrayLength largest length accepted for an array payload (network frame, char device
 *     data, random bytes, audio samples). QEMU accepts any u32; a bound turns a corrupt length into
 *     a clear error instead of a multi-gigabyte skip.
 */
public record ParserOptions(boolean allowUnfinalizedHeader, long maxArrayLength) {

  /** 16 MiB: far above a jumbo frame or a char device read, far below a corrupt u32. */
  public static final long DEFAULT_MAX_ARRAY_LENGTH = 16L << 20;

  public ParserOptions {
    if (maxArrayLength < 0) {
      throw new IllegalArgumentException("maxArrayLength must be >= 0: " + maxArrayLength);
    }
  }

  /** Strict: finalized header required. */
  public static ParserOptions strict() {
    return new ParserOptions(false, DEFAULT_MAX_ARRAY_LENGTH);
  }

  public ParserOptions withAllowUnfinalizedHeader(boolean allow) {
    return new ParserOptions(allow, maxArrayLength);
  }

  public ParserOptions withMaxArrayLength(long max) {
    return new ParserOptions(allowUnfinalizedHeader, max);
  }
}
