package io.ftvm.supervisor.nativeos;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A Linux TAP interface opened through {@code /dev/net/tun}, exchanging whole Ethernet frames.
 *
 * <p>{@code IFF_NO_PI} is set, so each read returns exactly one frame and each write must be
 * exactly one frame, without the 4-byte packet-info header. The interface lives in the network
 * namespace of the thread that opens it (run the JVM under {@code ip netns exec} to place it in a
 * namespace) and disappears when the descriptor is closed, unless made persistent with {@code ip
 * tuntap}. Configuring addresses and link state is left to {@code ip}.
 */
public final class TapDevice implements AutoCloseable {
  /** Kernel's IFNAMSIZ including the terminating NUL. */
  public static final int MAX_NAME_BYTES = 15;

  private static final String CLONE_DEVICE = "/dev/net/tun";
  private static final short IFF_TAP = 0x0002;
  private static final short IFF_NO_PI = 0x1000;
  private static final int IFREQ_SIZE = 40;
  private static final int IFREQ_FLAGS_OFFSET = 16;

  private final String name;
  private final OwnedDescriptor descriptor;

  private TapDevice(String name, OwnedDescriptor descriptor) {
    this.name = name;
    this.descriptor = descriptor;
  }

  /**
   * Creates (or attaches to an existing persistent) TAP interface.
   *
   * @param requestedName an interface name, or a pattern such as {@code "ftvm%d"} the kernel fills
   */
  public static TapDevice open(String requestedName) throws IOException {
    byte[] nameBytes = requestedName.getBytes(StandardCharsets.US_ASCII);
    if (requestedName.isEmpty() || nameBytes.length > MAX_NAME_BYTES) {
      throw new IllegalArgumentException(
          "TAP interface name '"
              + requestedName
              + "' must be 1 to "
              + MAX_NAME_BYTES
              + " ASCII characters");
    }
    int fd;
    try {
      fd = LibC.INSTANCE.open(CLONE_DEVICE, LibC.O_RDWR | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new NativeIoException("open " + CLONE_DEVICE + " for TAP '" + requestedName + "'", e);
    }
    try (Memory ifreq = new Memory(IFREQ_SIZE)) {
      ifreq.clear();
      ifreq.write(0, nameBytes, 0, nameBytes.length);
      ifreq.setShort(IFREQ_FLAGS_OFFSET, (short) (IFF_TAP | IFF_NO_PI));
      LibC.INSTANCE.ioctl(fd, LibC.TUNSETIFF, ifreq);
      String actualName = ifreq.getString(0, StandardCharsets.US_ASCII.name());
      return new TapDevice(actualName, new OwnedDescriptor(fd, "TAP " + actualName));
    } catch (LastErrorException e) {
      LibC.INSTANCE.close(fd);
      throw new NativeIoException(
          "TUNSETIFF(IFF_TAP|IFF_NO_PI) for TAP '" + requestedName + "'", e);
    }
  }

  /** The interface name the kernel assigned. */
  public String name() {
    return name;
  }

  /**
   * Waits up to {@code timeout} for one frame.
   *
   * @return the frame length, or 0 if none arrived in time
   * @throws IOException if the device failed or was closed
   */
  public int readFrame(byte[] buffer, Duration timeout) throws IOException {
    int read = descriptor.read(buffer, 0, buffer.length, timeout);
    if (read < 0) {
      throw new IOException("TAP " + name + " was removed");
    }
    return read;
  }

  /** Injects one Ethernet frame as if received on the interface's wire. */
  public void writeFrame(byte[] frame, int offset, int length) throws IOException {
    int written = descriptor.write(frame, offset, length);
    if (written != length) {
      throw new IOException(
          "TAP " + name + " accepted " + written + " of " + length + " frame bytes");
    }
  }

  public boolean isOpen() {
    return descriptor.isOpen();
  }

  @Override
  public void close() throws IOException {
    descriptor.close();
  }
}
