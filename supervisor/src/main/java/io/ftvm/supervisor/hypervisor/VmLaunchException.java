package io.ftvm.supervisor.hypervisor;

/** A VM could not be started; the message carries the cause and QEMU's last output lines. */
public final class VmLaunchException extends Exception {
  public VmLaunchException(String message) {
    super(message);
  }

  public VmLaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
