package io.ftvm.lock;

/**
 * The arbiter could not reach a definite decision because its storage did not answer, refused the
 * write, or timed out. Callers must treat this as "not won": a backup keeps waiting and a primary
 * keeps holding output.
 */
public class StorageUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public StorageUnavailableException(String message) {
    super(message);
  }

  public StorageUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
