package io.ftvm.supervisor.pair;

import java.util.HexFormat;
import java.util.regex.Pattern;

public record MacAddress(byte[] bytes) {
  public static final MacAddress BROADCAST = new MacAddress(new byte[] {-1, -1, -1, -1, -1, -1});
  private static final Pattern TEXT = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");

  public MacAddress {
    if (bytes.length != 6) {
      throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
    }
    bytes = bytes.clone();
  }

  public static MacAddress parse(String text) {
    if (!TEXT.matcher(text).matches()) {
      throw new IllegalArgumentException("not a MAC address like 52:54:00:12:34:56: " + text);
    }
    return new MacAddress(HexFormat.ofDelimiter(":").parseHex(text));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  @Override
  public String toString() {
    return HexFormat.ofDelimiter(":").formatHex(bytes);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof MacAddress m && java.util.Arrays.equals(bytes, m.bytes);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(bytes);
  }
}
