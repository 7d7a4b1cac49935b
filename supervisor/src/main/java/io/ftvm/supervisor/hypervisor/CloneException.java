package io.ftvm.supervisor.hypervisor;

/** Cloning a running VM failed; the source VM runs on, unprotected. */
public final class CloneException extends Exception {
  private static final long serialVersionUID = 1L;

  public CloneException(String message) {
    super(message);
  }

  public CloneException(String message, Throwable cause) {
    super(message, cause);
  }
}
