package io.ftvm.supervisor.nativeos;

import com.sun.jna.LastErrorException;
import java.io.IOException;

/** A failed system call, with what we tried, on what, and the errno text. */
public final class NativeIoException extends IOException {
  private final int errno;

  public NativeIoException(String action, LastErrorException cause) {
    super(
        action
            + ": "
            + LibC.INSTANCE.strerror(cause.getErrorCode())
            + " (errno "
            + cause.getErrorCode()
            + ")",
        cause);
    this.errno = cause.getErrorCode();
  }

  public int errno() {
    return errno;
  }
}
