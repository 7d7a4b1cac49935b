package io.ftvm.supervisor.follow;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a console file QEMU appends to and notes when each complete line appeared (host monotonic
 * time). Comparing those times between primary and backup gives the backup's lag in terms a user
 * sees: how much later the same console line shows up on the replica.
 */
final class ConsoleLines implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsoleLines.class);

  /** Resolution of the lag measurement; small against the lags of interest (tens of ms). */
  private static final long POLL_MILLIS = 2;

  private final Path file;
  private final List<String> lines = new ArrayList<>();
  private final List<Long> arrivalNanos = new ArrayList<>();
  private final StringBuilder partial = new StringBuilder();
  private final Thread poller;
  private volatile boolean closed;

  private ConsoleLines(Path file) {
    this.file = file;
    this.poller = new Thread(this::poll, "console-" + file.getParent().getFileName());
    poller.setDaemon(true);
  }

  static ConsoleLines follow(Path file) {
    ConsoleLines console = new ConsoleLines(file);
    console.poller.start();
    return console;
  }

  Path file() {
    return file;
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  synchronized int count() {
    return lines.size();
  }

  synchronized long arrivalNanos(int index) {
    return arrivalNanos.get(index);
  }

  synchronized Optional<Integer> indexOf(Predicate<String> line, int from) {
    for (int i = from; i < lines.size(); i++) {
      if (line.test(lines.get(i))) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** Waits for a line matching {@code line} at index {@code from} or later; returns its index. */
  int awaitLine(String what, Predicate<String> line, int from, Duration timeout) {
    await(what + " on console " + file)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(POLL_MILLIS))
        .until(() -> indexOf(line, from).isPresent());
    return indexOf(line, from).orElseThrow();
  }

  void awaitCount(String what, int count, Duration timeout) {
    await(what + " on console " + file)
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> count() >= count);
  }

  private void poll() {
    byte[] buffer = new byte[16 * 1024];
    long offset = 0;
    try {
      while (!closed) {
        if (!Files.exists(file)) {
          Thread.sleep(POLL_MILLIS);
          continue;
        }
        try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
          while (!closed) {
            in.seek(offset);
            int n = in.read(buffer);
            if (n <= 0) {
              Thread.sleep(POLL_MILLIS);
              continue;
            }
            offset += n;
            take(new String(buffer, 0, n, StandardCharsets.ISO_8859_1), System.nanoTime());
          }
        }
      }
    } catch (IOException e) {
      log.warn("console {} unreadable: {}", file, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private synchronized void take(String text, long now) {
    for (char c : text.toCharArray()) {
      if (c == '\n') {
        lines.add(partial.toString());
        arrivalNanos.add(now);
        partial.setLength(0);
      } else if (c != '\r') {
        partial.append(c);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    closed = true;
    poller.join(1000);
  }
}
