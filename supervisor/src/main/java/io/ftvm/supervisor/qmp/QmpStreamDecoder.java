package io.ftvm.supervisor.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits the QMP byte stream into JSON objects.
 *
 * <p>QMP does not promise one object per read: a large reply (e.g. {@code query-qmp-schema})
 * arrives in many pieces and a burst of events arrives in one. The decoder therefore tracks brace
 * depth itself, string- and escape-aware, and only hands complete objects to Jackson. Scanning raw
 * bytes is safe for UTF-8 because multi-byte sequences never contain ASCII braces or quotes.
 *
 * <p>Not thread-safe; the client feeds it from its single reader thread.
 */
public final class QmpStreamDecoder {
  /** Large enough for the QMP schema (a few hundred KiB) with ample margin. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  private final ObjectMapper mapper;
  private final int maxMessageBytes;
  private final ByteArrayOutputStream current = new ByteArrayOutputStream();
  private int depth;
  private boolean inString;
  private boolean escaped;
  private long streamOffset;
  private long messageStartOffset;

  public QmpStreamDecoder(ObjectMapper mapper) {
    this(mapper, DEFAULT_MAX_MESSAGE_BYTES);
  }

  public QmpStreamDecoder(ObjectMapper mapper, int maxMessageBytes) {
    this.mapper = mapper;
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Consumes {@code length} bytes and returns every object they complete, in stream order.
   *
   * @throws QmpProtocolException on bytes outside an object that are not whitespace, on a message
   *     larger than the limit, or on an object Jackson cannot parse; the decoder is unusable after
   */
  public List<JsonNode> feed(byte[] bytes, int offset, int length) {
    List<JsonNode> complete = new ArrayList<>();
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (depth == 0) {
        if (b == '{') {
          messageStartOffset = streamOffset;
          current.write(b);
          depth = 1;
        } else if (!isWhitespace(b)) {
          throw new QmpProtocolException(
              "expected '{' to start a QMP message but got " + describe(b), streamOffset);
        }
      } else {
        current.write(b);
        track(b);
        if (current.size() > maxMessageBytes) {
          throw new QmpProtocolException(
              "QMP message exceeds " + maxMessageBytes + " bytes without ending",
              messageStartOffset);
        }
        if (depth == 0) {
          complete.add(parseCurrent());
        }
      }
      streamOffset++;
    }
    return complete;
  }

  /** True when the bytes fed so far end in the middle of a message. */
  public boolean hasPartialMessage() {
    return depth > 0;
  }

  public long bytesConsumed() {
    return streamOffset;
  }

  private void track(byte b) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (b == '\\') {
        escaped = true;
      } else if (b == '"') {
        inString = false;
      }
    } else if (b == '"') {
      inString = true;
    } else if (b == '{' || b == '[') {
      depth++;
    } else if (b == '}' || b == ']') {
      depth--;
    }
  }

  private JsonNode parseCurrent() {
    byte[] message = current.toByteArray();
    current.reset();
    try {
      JsonNode node = mapper.readTree(message);
      if (node == null || !node.isObject()) {
        throw new QmpProtocolException("QMP message is not a JSON object", messageStartOffset);
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new QmpProtocolException(
          "malformed JSON in QMP message: " + e.getOriginalMessage(), messageStartOffset, e);
    } catch (java.io.IOException e) {
      throw new QmpProtocolException("unreadable QMP message", messageStartOffset, e);
    }
  }

  private static boolean isWhitespace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static String describe(byte b) {
    return b >= 0x20 && b < 0x7f ? "'" + (char) b + "'" : String.format("byte 0x%02x", b & 0xff);
  }
}
