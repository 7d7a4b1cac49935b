package io.ftvm.fencing;

/**
 * Stops the whole supervisor process. Injected so tests can observe the request instead of losing
 * their JVM.
 */
@FunctionalInterface
public interface SupervisorHalt {

  /** Halts; the production implementation never returns. */
  void halt(String reason);

  /**
   * Halts the JVM immediately with {@code status}, skipping shutdown hooks: hooks could block or
   * release output, which a fenced node must not do.
   */
  static SupervisorHalt runtimeHalt(int status) {
    return reason -> Runtime.getRuntime().halt(status);
  }
}
