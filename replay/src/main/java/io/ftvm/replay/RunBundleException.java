package io.ftvm.replay;

import java.io.IOException;

/** A file that is not a usable {@code .ftlog} run bundle. */
public final class RunBundleException extends IOException {
  private static final long serialVersionUID = 1L;

  public RunBundleException(String message) {
    super(message);
  }

  public RunBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
