package io.ftvm.supervisor.hypervisor;

/** The QEMU binary found is not one ftvm can run pairs with, or cannot be asked at all. */
public final class QemuVersionMismatchException extends Exception {
  public QemuVersionMismatchException(String message) {
    super(message);
  }

  public QemuVersionMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
