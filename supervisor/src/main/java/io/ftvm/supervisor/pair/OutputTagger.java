package io.ftvm.supervisor.pair;

/**
 * Tells which log position an output must wait for. The patched QEMU writes every event that
 * precedes an output into the log pipe before the output leaves, so "bytes read from the pipe plus
 * bytes still in it" at the moment the output arrives covers all of them.
 */
@FunctionalInterface
public interface OutputTagger {
  long positionCoveringOutputNow();
}
