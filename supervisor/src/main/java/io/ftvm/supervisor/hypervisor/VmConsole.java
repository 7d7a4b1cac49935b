package io.ftvm.supervisor.hypervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/** The guest's serial console as streams. */
public interface VmConsole extends AutoCloseable {

  /** Where the console lives (socket or file). */
  Path path();

  /** Bytes the guest writes to its serial port. */
  InputStream guestOutput() throws IOException;

  /**
   * Bytes typed into the guest's serial port.
   *
   * @throws UnsupportedOperationException for a file console, which has no input side
   */
  OutputStream guestInput();

  @Override
  void close() throws IOException;
}
