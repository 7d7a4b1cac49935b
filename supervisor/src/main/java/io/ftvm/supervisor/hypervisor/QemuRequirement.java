package io.ftvm.supervisor.hypervisor;

import io.ftvm.supervisor.qmp.QemuVersion;

/**
 * Which QEMU ftvm accepts: exact upstream numbers plus a marker in the package version that only
 * the patched build carries (stock QEMU cannot stream, follow or go live, and would fail late and
 * obscurely).
 */
public record QemuRequirement(int major, int minor, int micro, String packageMarker) {

  public static QemuRequirement patchedFtvm() {
    return new QemuRequirement(10, 0, 13, "ftvm");
  }

  /** The same numbers, accepting any build: for tests against the unpatched baseline. */
  public QemuRequirement withMarker(String marker) {
    return new QemuRequirement(major, minor, micro, marker);
  }

  public boolean isSatisfiedBy(QemuVersion version) {
    return version.hasNumbers(major, minor, micro)
        && (packageMarker.isEmpty() || version.packageVersion().contains(packageMarker));
  }

  public String describe() {
    String numbers = major + "." + minor + "." + micro;
    return packageMarker.isEmpty()
        ? "QEMU " + numbers
        : "the patched QEMU " + numbers + "+" + packageMarker;
  }
}
