package io.ftvm.supervisor.vm;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A VM as ftvm runs it, for record, replay and pairs alike: one vCPU on the {@code pc} machine
 * under TCG, memory, boot, disks, NICs, the serial console (always COM1) and optionally the guest's
 * IP address. Values are kept as written (vCPUs, machine, formats, buses, models) so that {@link
 * VmDescriptionValidator} can list everything ftvm cannot honour at once.
 *
 * @param source the file this was read from (or the libvirt domain it was imported from)
 * @param name a name for logs and reports
 * @param machine QEMU machine type; only {@code pc} is verified under record/replay
 * @param cpuModel QEMU CPU model; only {@code qemu64} (TCG) is verified
 * @param accelerator {@code tcg}; record/replay does not exist under KVM
 * @param readyLinePrefix a console line that says the guest is up, if the guest prints one (the
 *     test VM does, a real guest does not: then the guest counts as booted once QEMU runs it and it
 *     wrote its first console byte)
 * @param guestCidr the guest's address with prefix length (e.g. {@code 10.77.0.10/24}), if known
 * @param readinessProbe how the guest is seen to be up when it prints no ready line (or a different
 *     one): a console pattern or a TCP port; takes precedence over {@code readyLinePrefix}
 */
public record VmDescription(
    Path source,
    String name,
    int memoryMib,
    int vcpus,
    String machine,
    String cpuModel,
    String accelerator,
    VmBoot boot,
    List<VmDisk> disks,
    List<VmNic> nics,
    Optional<String> readyLinePrefix,
    Optional<String> guestCidr,
    Optional<ReadinessProbe> readinessProbe) {

  public static final int CURRENT_FORMAT = 2;
  public static final String DEFAULT_MACHINE = "pc";
  public static final String DEFAULT_CPU = "qemu64";
  public static final String DEFAULT_ACCELERATOR = "tcg";

  public VmDescription {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(machine, "machine");
    Objects.requireNonNull(cpuModel, "cpuModel");
    Objects.requireNonNull(accelerator, "accelerator");
    Objects.requireNonNull(boot, "boot");
    disks = List.copyOf(disks);
    nics = List.copyOf(nics);
    Objects.requireNonNull(readyLinePrefix, "readyLinePrefix");
    Objects.requireNonNull(guestCidr, "guestCidr");
    Objects.requireNonNull(readinessProbe, "readinessProbe");
  }

  /** A description without a readiness probe (as written before probes existed). */
  public VmDescription(
      Path source,
      String name,
      int memoryMib,
      int vcpus,
      String machine,
      String cpuModel,
      String accelerator,
      VmBoot boot,
      List<VmDisk> disks,
      List<VmNic> nics,
      Optional<String> readyLinePrefix,
      Optional<String> guestCidr) {
    this(
        source,
        name,
        memoryMib,
        vcpus,
        machine,
        cpuModel,
        accelerator,
        boot,
        disks,
        nics,
        readyLinePrefix,
        guestCidr,
        Optional.empty());
  }

  /** The probe that decides "guest up": the explicit one, else the ready line, if any. */
  public Optional<ReadinessProbe> effectiveReadiness() {
    return readinessProbe.or(() -> readyLinePrefix.map(ReadinessProbe::consolePrefix));
  }

  /** How ftvm decides that the guest is up, in words for reports. */
  public String readiness() {
    if (readinessProbe.isPresent()) {
      return readinessProbe.get().describe();
    }
    return readyLinePrefix
        .map(prefix -> "console line starting with \"" + prefix + "\"")
        .orElse("booted: QEMU reports status running and the guest wrote its first console byte");
  }
}
