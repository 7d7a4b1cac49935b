package io.ftvm.supervisor.qmp;

/**
 * A QEMU version as QEMU reports it, both in the QMP greeting and in {@code --version}.
 *
 * @param packageVersion the distribution/build suffix, e.g. {@code "Debian
 *     1:10.0.13+ds-0+deb13u1"}; empty when QEMU was built without one. The patched ftvm build is
 *     recognised by a marker here.
 */
public record QemuVersion(int major, int minor, int micro, String packageVersion) {

  public QemuVersion {
    packageVersion = packageVersion == null ? "" : packageVersion.strip();
  }

  public String numeric() {
    return major + "." + minor + "." + micro;
  }

  public boolean hasNumbers(int major, int minor, int micro) {
    return this.major == major && this.minor == minor && this.micro == micro;
  }

  @Override
  public String toString() {
    return packageVersion.isEmpty()
        ? "QEMU " + numeric()
        : "QEMU " + numeric() + " (" + packageVersion + ")";
  }
}
