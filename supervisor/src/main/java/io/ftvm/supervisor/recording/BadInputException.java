package io.ftvm.supervisor.recording;

/**
 * The user handed ftvm something it cannot use (not a bundle, a corrupt log, another VM's files, an
 * invalid option). Distinct from a replay that ran and diverged: scripts tell them apart by exit
 * status.
 */
public final class BadInputException extends Exception {
  private static final long serialVersionUID = 1L;

  public BadInputException(String message) {
    super(message);
  }

  public BadInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
