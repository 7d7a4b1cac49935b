package io.ftvm.supervisor.pair;

import io.ftvm.supervisor.vm.UnsupportedVmException;
import io.ftvm.supervisor.vm.VmDescription;
import io.ftvm.supervisor.vm.VmDescriptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Pair configs that name the admin's VM description ({@code "vm": {"description":
 * "/etc/ftvm/vm.json"}}) instead of spelling out kernel, disks and NIC: the description is read and
 * checked, and becomes the config's guest. Each node's first disk is its {@code disk}; further
 * disks lie beside it as {@code disk-1.img}, {@code disk-2.qcow2}, ... (see {@link GuestHardware}).
 * The config's own readiness probe, if it has one, wins over the description's.
 */
public final class GuestDescriptions {
  private GuestDescriptions() {}

  /** Reads a pair config and resolves its guest's description, if it names one. */
  public static PairConfig read(Path file) throws IOException {
    return resolve(PairConfig.read(file));
  }

  /**
   * {@code config} with its guest taken from its description (unchanged without one).
   *
   * @throws IOException if the description cannot be run (every reason listed) or a node's disk
   *     copy is missing
   */
  public static PairConfig resolve(PairConfig config) throws IOException {
    PairConfig.GuestSpec given = config.vm();
    if (given == null || given.description() == null) {
      return config;
    }
    VmDescription description;
    try {
      description = new VmDescriptions().load(given.description());
    } catch (UnsupportedVmException e) {
      throw new IOException(e.getMessage(), e);
    }
    PairConfig.GuestSpec guest = new DescribedGuest(description).spec(null, null);
    // A probe the config sets (e.g. 'start --pair --ready-port') overrides the description's.
    return config.withVm(
        given.readiness() == null ? guest : guest.withReadiness(given.readiness()));
  }
}
