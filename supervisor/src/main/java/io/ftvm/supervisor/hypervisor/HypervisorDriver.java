package io.ftvm.supervisor.hypervisor;

/**
 * Starts VMs. QEMU as a child process is the driver ftvm needs for record/replay; the boundary
 * exists so libvirt-managed QEMU can be a second driver.
 */
public interface HypervisorDriver {

  /**
   * Starts the VM and returns once it is controllable (QMP negotiated, console attached).
   *
   * @throws VmLaunchException with QEMU's own complaint when it did not come up
   */
  VmInstance launch(VmLaunchSpec spec) throws VmLaunchException;
}
