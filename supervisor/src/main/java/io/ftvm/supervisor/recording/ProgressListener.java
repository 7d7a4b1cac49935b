package io.ftvm.supervisor.recording;

/**
 * Receives one-line progress reports of long runs (booting, seconds recorded, log size). The CLI
 * prints them on stderr; tests collect them.
 */
@FunctionalInterface
public interface ProgressListener {
  void progress(String line);

  static ProgressListener none() {
    return line -> {};
  }
}
