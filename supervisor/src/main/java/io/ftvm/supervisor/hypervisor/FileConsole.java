package io.ftvm.supervisor.hypervisor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** A console QEMU appends to a file; reading returns what was written so far. */
final class FileConsole implements VmConsole {
  private final Path path;

  FileConsole(Path path) {
    this.path = path;
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public InputStream guestOutput() throws IOException {
    return Files.newInputStream(path);
  }

  @Override
  public OutputStream guestInput() {
    throw new UnsupportedOperationException(
        "console " + path + " is a file; configure a socket console to type into the guest");
  }

  @Override
  public void close() {}
}
