package io.ftvm.channel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The secret both supervisors of a pair share. Loaded from a file holding either hex text
 * (whitespace ignored) or raw bytes; at least {@value #MIN_BYTES} bytes of key material.
 */
public final class PreSharedKey {
  public static final int MIN_BYTES = 32;
  private final byte[] key;

  private PreSharedKey(byte[] key) {
    this.key = key;
  }

  public static PreSharedKey of(byte[] key) {
    if (key == null || key.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "pre-shared key must be at least "
              + MIN_BYTES
              + " bytes, got "
              + (key == null ? 0 : key.length));
    }
    return new PreSharedKey(key.clone());
  }

  /**
   * Reads a key file. A file whose content (after trimming whitespace) is only hex digits is
   * decoded as hex; anything else is taken as raw key bytes.
   */
  public static PreSharedKey load(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("pre-shared key file " + file + " does not exist or is not a file");
    }
    byte[] raw = Files.readAllBytes(file);
    String text = new String(raw, StandardCharsets.ISO_8859_1).replaceAll("\\s+", "");
    byte[] key;
    String format;
    if (!text.isEmpty() && text.chars().allMatch(PreSharedKey::isHexDigit)) {
      if (text.length() % 2 != 0) {
        throw new IOException(
            "pre-shared key file "
                + file
                + " looks like hex but has an odd number of digits ("
                + text.length()
                + ")");
      }
      key = HexFormat.of().parseHex(text);
      format = "hex";
    } else {
      key = raw;
      format = "raw";
    }
    if (key.length < MIN_BYTES) {
      throw new IOException(
          "pre-shared key file "
              + file
              + " holds "
              + key.length
              + " bytes of "
              + format
              + " key material, at least "
              + MIN_BYTES
              + " are required (e.g. `head -c 32 /dev/urandom | xxd -p -c 64 > "
              + file.getFileName()
              + "`)");
    }
    return new PreSharedKey(key);
  }

  private static boolean isHexDigit(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  /** A copy of the key bytes; callers should not keep it longer than needed. */
  byte[] bytes() {
    return key.clone();
  }

  public int length() {
    return key.length;
  }

  @Override
  public String toString() {
    return "PreSharedKey[" + key.length + " bytes]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PreSharedKey that && java.security.MessageDigest.isEqual(key, that.key);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new byte[] {(byte) key.length});
  }
}
