package io.ftvm.fencing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Drains a child's output stream on a daemon thread, keeping only the last {@code capacity} bytes:
 * enough to explain a failure without letting a chatty script fill the supervisor's memory.
 */
final class StreamTail {
  private final byte[] ring;
  private long written;
  private final Thread reader;

  StreamTail(InputStream in, int capacity, String threadName) {
    this.ring = new byte[capacity];
    this.reader = new Thread(() -> drain(in), threadName);
    reader.setDaemon(true);
    reader.start();
  }

  private void drain(InputStream in) {
    byte[] buffer = new byte[4096];
    try (in) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        append(buffer, n);
      }
    } catch (IOException closed) {
      // The process was killed or the stream closed; what we have is the tail.
    }
  }

  private synchronized void append(byte[] buffer, int length) {
    for (int i = 0; i < length; i++) {
      ring[(int) (written++ % ring.length)] = buffer[i];
    }
  }

  /**
   * Waits up to {@code millis} for the stream to end; a grandchild that inherited the pipe may keep
   * it open, so this does not wait forever.
   */
  void awaitEnd(long millis) throws InterruptedException {
    reader.join(millis);
  }

  synchronized String text() {
    int length = (int) Math.min(written, ring.length);
    int startIndex = (int) ((written - length) % ring.length);
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = ring[(startIndex + i) % ring.length];
    }
    String text = new String(out, StandardCharsets.UTF_8).strip();
    return written > ring.length ? "..." + text : text;
  }

  static String oneLine(String text) {
    return text.isEmpty() ? "(empty)" : String.join(" | ", Arrays.asList(text.split("\n")));
  }
}
