package io.ftvm.supervisor.vm;

import java.nio.file.Path;
import java.util.Objects;

/** How the guest starts: from its first disk through the BIOS, or from a kernel QEMU loads. */
public sealed interface VmBoot {

  /**
   * The guest's own boot loader on its first disk, started by SeaBIOS (the default for real VMs:
   * nothing outside the disk is needed).
   */
  record Firmware() implements VmBoot {}

  /** QEMU loads kernel and initrd itself ({@code -kernel}/{@code -initrd}/{@code -append}). */
  record DirectKernel(Path kernel, Path initrd, String cmdline) implements VmBoot {
    public DirectKernel {
      Objects.requireNonNull(kernel, "kernel");
      cmdline = cmdline == null ? "" : cmdline;
    }
  }
}
