package io.ftvm.supervisor.topology;

/** The topology could not be created, changed or removed as asked. */
public class TopologyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TopologyException(String message) {
    super(message);
  }

  public TopologyException(String message, Throwable cause) {
    super(message, cause);
  }
}
