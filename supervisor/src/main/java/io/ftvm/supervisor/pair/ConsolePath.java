package io.ftvm.supervisor.pair;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guest's serial console: bytes from QEMU pass a {@link HeldOutputGate} (on a primary) and are
 * appended to the node's console log, which is what an admin or client of the console sees.
 */
public final class ConsolePath implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConsolePath.class);

  private final OutputStream consoleLog;
  private final HeldOutputGate gate;
  private volatile Consumer<byte[]> watcher = bytes -> {};

  public ConsolePath(Path consoleLogFile, LatencyRecorder latency) throws IOException {
    this.consoleLog =
        Files.newOutputStream(consoleLogFile, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    this.gate = new HeldOutputGate("console", this::append, latency);
  }

  public HeldOutputGate gate() {
    return gate;
  }

  /** Shown every byte as it reaches the console log (e.g. to spot the guest's ready line). */
  public void watchOutput(Consumer<byte[]> consoleWatcher) {
    watcher = consoleWatcher;
  }

  /** Pumps {@code guestOutput} until QEMU closes it, tagging each read with the log position. */
  public void start(InputStream guestOutput, OutputTagger tagger) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[4096];
              try {
                int n;
                while ((n = guestOutput.read(buffer)) > 0) {
                  gate.submit(tagger.positionCoveringOutputNow(), Arrays.copyOf(buffer, n));
                }
              } catch (IOException e) {
                log.debug("console stream ended: {}", e.getMessage());
              }
            },
            "console");
    thread.setDaemon(true);
    thread.start();
  }

  private synchronized void append(byte[] bytes) throws IOException {
    consoleLog.write(bytes);
    consoleLog.flush();
    watcher.accept(bytes);
  }

  @Override
  public void close() throws IOException {
    gate.close();
    synchronized (this) {
      consoleLog.close();
    }
  }
}
