package io.ftvm.supervisor.hypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything needed to start one QEMU for ftvm. Build with {@link #builder()}.
 *
 * @param netdevSocket a Unix stream socket the supervisor already listens on; QEMU connects to it
 *     as the VM's only NIC backend, which lets the supervisor gate outputs
 * @param qemuLog file receiving QEMU's stdout and stderr (appended)
 * @param extraArgs appended verbatim after the generated arguments (patched-QEMU options, tracing)
 * @param devices the described VM's boot, disks and NIC, or null for the test VM's shape (direct
 *     kernel, one raw virtio disk, virtio-net); when set, {@code kernel}, {@code initrd} and {@code
 *     disk} may be null and are not used
 */
public record VmLaunchSpec(
    String name,
    Path qemuBinary,
    Path kernel,
    Path initrd,
    Path disk,
    String kernelAppend,
    int memoryMib,
    String mac,
    ReplaySpec replay,
    Path netdevSocket,
    ConsoleSpec console,
    Path qmpSocket,
    Path qemuLog,
    Duration startupTimeout,
    List<String> extraArgs,
    GuestDevices devices) {

  private static final Pattern MAC = Pattern.compile("([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  public VmLaunchSpec {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "VM name '" + name + "' must be 1-64 characters of letters, digits, '_', '.', '-'");
    }
    Objects.requireNonNull(qemuBinary, "qemuBinary");
    if (devices == null) {
      Objects.requireNonNull(kernel, "kernel");
      Objects.requireNonNull(initrd, "initrd");
      Objects.requireNonNull(disk, "disk");
    }
    kernelAppend = kernelAppend == null ? "" : kernelAppend;
    if (memoryMib < 16) {
      throw new IllegalArgumentException("memory must be at least 16 MiB, got " + memoryMib);
    }
    Objects.requireNonNull(mac, "mac");
    if (!MAC.matcher(mac).matches()) {
      throw new IllegalArgumentException(
          "MAC address '" + mac + "' is not six colon-separated hex pairs");
    }
    if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0) {
      throw new IllegalArgumentException("MAC address " + mac + " is a multicast address");
    }
    Objects.requireNonNull(replay, "replay");
    Objects.requireNonNull(netdevSocket, "netdevSocket");
    Objects.requireNonNull(console, "console");
    Objects.requireNonNull(qmpSocket, "qmpSocket");
    Objects.requireNonNull(qemuLog, "qemuLog");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    extraArgs = List.copyOf(extraArgs == null ? List.of() : extraArgs);
    for (String value :
        java.util.stream.Stream.of(kernelAppend, disk, kernel, initrd)
            .filter(Objects::nonNull)
            .map(Object::toString)
            .toList()) {
      if (value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("NUL byte in a QEMU argument: " + value);
      }
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A copy with more arguments appended, e.g. the lead's patched-QEMU options. */
  public VmLaunchSpec withExtraArgs(List<String> more) {
    List<String> all = new ArrayList<>(extraArgs);
    all.addAll(more);
    return new VmLaunchSpec(
        name,
        qemuBinary,
        kernel,
        initrd,
        disk,
        kernelAppend,
        memoryMib,
        mac,
        replay,
        netdevSocket,
        console,
        qmpSocket,
        qemuLog,
        startupTimeout,
        all,
        devices);
  }

  /** Fluent construction with the defaults the test VM is verified with. */
  public static final class Builder {
    private String name = "vm";
    private Path qemuBinary = Path.of("qemu-system-x86_64");
    private Path kernel;
    private Path initrd;
    private Path disk;
    private String kernelAppend = "console=ttyS0";
    private int memoryMib = 256;
    private String mac = "52:54:00:12:34:56";
    private ReplaySpec replay = ReplaySpec.none();
    private Path netdevSocket;
    private ConsoleSpec console;
    private Path qmpSocket;
    private Path qemuLog;
    private Duration startupTimeout = Duration.ofSeconds(30);
    private final List<String> extraArgs = new ArrayList<>();
    private GuestDevices devices;

    public Builder name(String value) {
      name = value;
      return this;
    }

    public Builder qemuBinary(Path value) {
      qemuBinary = value;
      return this;
    }

    public Builder kernel(Path value) {
      kernel = value;
      return this;
    }

    public Builder initrd(Path value) {
      initrd = value;
      return this;
    }

    public Builder disk(Path value) {
      disk = value;
      return this;
    }

    public Builder kernelAppend(String value) {
      kernelAppend = value;
      return this;
    }

    public Builder memoryMib(int value) {
      memoryMib = value;
      return this;
    }

    public Builder mac(String value) {
      mac = value;
      return this;
    }

    public Builder replay(ReplaySpec value) {
      replay = value;
      return this;
    }

    public Builder netdevSocket(Path value) {
      netdevSocket = value;
      return this;
    }

    public Builder console(ConsoleSpec value) {
      console = value;
      return this;
    }

    public Builder qmpSocket(Path value) {
      qmpSocket = value;
      return this;
    }

    public Builder qemuLog(Path value) {
      qemuLog = value;
      return this;
    }

    public Builder startupTimeout(Duration value) {
      startupTimeout = value;
      return this;
    }

    /** A described VM's devices; also sets the MAC from its NIC. */
    public Builder devices(GuestDevices value) {
      devices = value;
      if (value != null) {
        mac = value.nic().mac();
      }
      return this;
    }

    public Builder extraArgs(String... values) {
      extraArgs.addAll(List.of(values));
      return this;
    }

    /**
     * Puts QMP socket, console socket, NIC socket and QEMU log into {@code runDirectory} under
     * fixed names, for callers that do not care about individual paths.
     */
    public Builder runDirectory(Path runDirectory) {
      qmpSocket = runDirectory.resolve("qmp.sock");
      console = ConsoleSpec.socket(runDirectory.resolve("console.sock"));
      netdevSocket = runDirectory.resolve("net.sock");
      qemuLog = runDirectory.resolve("qemu.log");
      return this;
    }

    public VmLaunchSpec build() {
      return new VmLaunchSpec(
          name,
          qemuBinary,
          kernel,
          initrd,
          disk,
          kernelAppend,
          memoryMib,
          mac,
          replay,
          netdevSocket,
          console,
          qmpSocket,
          qemuLog,
          startupTimeout,
          extraArgs,
          devices);
    }
  }
}
