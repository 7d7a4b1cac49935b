package io.ftvm.lock;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * Encodes go-live records as UTF-8 {@code key=value} lines ending in a CRC-32 line.
 *
 * <p>The trailing checksum is what makes lenient parsing safe: a record cut short by a crash could
 * otherwise carry a truncated node id that happens to equal another node's id, and that node would
 * then wrongly believe it won. Anything without a matching checksum is reported as corrupt, which
 * the arbiter treats as "won by an unknown node".
 */
public final class GoLiveRecordCodec {
  static final String FORMAT_VERSION = "1";
  private static final String CRC_KEY = "crc32=";

  private GoLiveRecordCodec() {}

  public static byte[] encode(GoLiveClaim claim) {
    String body =
        "# ftvm go-live record: this file's existence decides who went live; do not edit\n"
            + "format="
            + FORMAT_VERSION
            + "\nvmId="
            + claim.vmId()
            + "\nepoch="
            + claim.epoch()
            + "\nnodeId="
            + claim.nodeId()
            + "\ntimestamp="
            + claim.timestamp()
            + "\nreason="
            + escape(claim.reason())
            + "\n";
    byte[] bodyBytes = body.getBytes(StandardCharsets.UTF_8);
    String crcLine = CRC_KEY + String.format("%08x", crc(bodyBytes, bodyBytes.length)) + "\n";
    byte[] crcBytes = crcLine.getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[bodyBytes.length + crcBytes.length];
    System.arraycopy(bodyBytes, 0, out, 0, bodyBytes.length);
    System.arraycopy(crcBytes, 0, out, bodyBytes.length, crcBytes.length);
    return out;
  }

  /**
   * Parses a record found at the location of (expectedVmId, expectedEpoch). Never throws for bad
   * content: whatever is wrong ends up in {@link GoLiveRecord#corruption()}.
   */
  public static GoLiveRecord decode(byte[] content, String expectedVmId, long expectedEpoch) {
    if (content.length == 0) {
      return GoLiveRecord.unknownWinner(
          expectedVmId,
          expectedEpoch,
          "record is empty: the winner probably stopped between creating and writing it");
    }
    int crcStart = lastLineStart(content);
    String lastLine =
        new String(content, crcStart, content.length - crcStart, StandardCharsets.UTF_8).strip();
    if (!lastLine.startsWith(CRC_KEY)) {
      return GoLiveRecord.unknownWinner(
          expectedVmId,
          expectedEpoch,
          "record of " + content.length + " bytes is truncated (no final crc32 line)");
    }
    String expectedCrc = String.format("%08x", crc(content, crcStart));
    String actualCrc = lastLine.substring(CRC_KEY.length());
    if (!expectedCrc.equalsIgnoreCase(actualCrc)) {
      return GoLiveRecord.unknownWinner(
          expectedVmId,
          expectedEpoch,
          "checksum mismatch: record says crc32=" + actualCrc + ", content has " + expectedCrc);
    }
    Map<String, String> fields =
        parseLines(new String(content, 0, crcStart, StandardCharsets.UTF_8));
    return toRecord(fields, expectedVmId, expectedEpoch);
  }

  private static GoLiveRecord toRecord(
      Map<String, String> fields, String expectedVmId, long expectedEpoch) {
    String vmId = fields.get("vmId");
    String epoch = fields.get("epoch");
    if (!expectedVmId.equals(vmId) || !String.valueOf(expectedEpoch).equals(epoch)) {
      return GoLiveRecord.unknownWinner(
          expectedVmId,
          expectedEpoch,
          "record names vmId="
              + vmId
              + " epoch="
              + epoch
              + " but is stored as vmId="
              + expectedVmId
              + " epoch="
              + expectedEpoch);
    }
    String nodeId = fields.get("nodeId");
    try {
      VmIds.requireValidNodeId(nodeId);
    } catch (IllegalArgumentException e) {
      return GoLiveRecord.unknownWinner(expectedVmId, expectedEpoch, e.getMessage());
    }
    return new GoLiveRecord(
        expectedVmId,
        expectedEpoch,
        Optional.of(nodeId),
        unescape(fields.getOrDefault("reason", "")),
        parseTimestamp(fields.get("timestamp")),
        Optional.empty());
  }

  private static Optional<Instant> parseTimestamp(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(value));
    } catch (DateTimeParseException e) {
      // The timestamp is informational only; a bad one must not hide who won.
      return Optional.empty();
    }
  }

  private static Map<String, String> parseLines(String text) {
    Map<String, String> fields = new HashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (line.startsWith("#") || eq <= 0) {
        continue;
      }
      fields.putIfAbsent(line.substring(0, eq), line.substring(eq + 1));
    }
    return fields;
  }

  private static int lastLineStart(byte[] content) {
    int end = content.length;
    if (end > 0 && content[end - 1] == '\n') {
      end--;
    }
    for (int i = end - 1; i >= 0; i--) {
      if (content[i] == '\n') {
        return i + 1;
      }
    }
    return 0;
  }

  private static long crc(byte[] bytes, int length) {
    CRC32 crc = new CRC32();
    crc.update(bytes, 0, length);
    return crc.getValue();
  }

  static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
  }

  static String unescape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < text.length()) {
        char next = text.charAt(++i);
        out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
