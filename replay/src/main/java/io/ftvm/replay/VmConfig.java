package io.ftvm.replay;

import java.util.List;

/**
 * The guest a run bundle was recorded with; replaying needs byte-identical inputs.
 *
 * @param kernelSha256 sha256 of the kernel image
 * @param initrdSha256 sha256 of the initrd, null if none
 * @param diskSha256 sha256 of the disk image as configured, null if diskless
 * @param cmdline kernel command line
 * @param qemuArgs QEMU arguments other than the record/replay ones
 * @param workload name of the guest workload
 */
public record VmConfig(
    String kernelSha256,
    String initrdSha256,
    String diskSha256,
    String cmdline,
    List<String> qemuArgs,
    String workload) {
  public VmConfig {
    qemuArgs = qemuArgs == null ? List.of() : List.copyOf(qemuArgs);
  }
}
