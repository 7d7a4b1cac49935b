package io.ftvm.lock;

import java.util.regex.Pattern;

/** Validation of identifiers that become file names or record fields on shared storage. */
public final class VmIds {
  /** Max length keeps the path well under NAME_MAX (255) on every file system we expect. */
  public static final int MAX_LENGTH = 128;

  private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private VmIds() {}

  /**
   * Returns {@code vmId} when it is safe to use as one directory name on any shared file system;
   * otherwise throws with the offending character and its position.
   */
  public static String requireValidVmId(String vmId) {
    return requireSafeName("vmId", vmId);
  }

  /** Same rules as {@link #requireValidVmId}, applied to node identifiers. */
  public static String requireValidNodeId(String nodeId) {
    return requireSafeName("nodeId", nodeId);
  }

  private static String requireSafeName(String what, String value) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          what
              + " '"
              + value.substring(0, 32)
              + "...' is "
              + value.length()
              + " characters long; the limit is "
              + MAX_LENGTH);
    }
    if (!SAFE_NAME.matcher(value).matches()) {
      int offset = firstUnsafeOffset(value);
      throw new IllegalArgumentException(
          what
              + " '"
              + printable(value)
              + "' has an unsafe character "
              + describeChar(value.charAt(offset))
              + " at offset "
              + offset
              + ": allowed are letters, digits, '.', '_' and '-', and the first character must be"
              + " a letter or digit (it names a directory on shared storage)");
    }
    return value;
  }

  private static int firstUnsafeOffset(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (i == 0 ? !alnum : !(alnum || c == '.' || c == '_' || c == '-')) {
        return i;
      }
    }
    return 0;
  }

  private static String describeChar(char c) {
    return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static String printable(String value) {
    StringBuilder out = new StringBuilder();
    for (char c : value.toCharArray()) {
      out.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return out.toString();
  }
}
