package io.ftvm.supervisor.nativeos;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A named pipe (FIFO) on the file system, e.g. the pipe QEMU writes its replay log into.
 *
 * <p>We open the ends ourselves, instead of through {@code FileInputStream}, because the supervisor
 * needs the descriptor for {@code FIONREAD} ("how many log bytes are pending right now" tags
 * outputs with a log position) and for {@code F_SETPIPE_SZ}.
 */
public final class Fifo {
  private final Path path;

  private Fifo(Path path) {
    this.path = path;
  }

  /**
   * Creates the FIFO with mode 0600 (the log of a VM is as sensitive as its memory).
   *
   * @throws IOException if something already exists at {@code path} or the directory is missing
   */
  public static Fifo create(Path path) throws IOException {
    try {
      LibC.INSTANCE.mkfifo(path.toString(), 0600);
    } catch (LastErrorException e) {
      throw new NativeIoException("mkfifo " + path, e);
    }
    return new Fifo(path);
  }

  /** Wraps a FIFO that already exists, refusing anything that is not one. */
  public static Fifo existing(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("FIFO " + path + " does not exist");
    }
    Object type = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    if (!(type instanceof Integer mode) || (mode & 0170000) != 0010000) {
      throw new IOException(path + " exists but is not a FIFO");
    }
    return new Fifo(path);
  }

  public Path path() {
    return path;
  }

  /**
   * Opens the read end without waiting for a writer. Until a writer has connected, reads simply
   * time out; end of stream is reported only after a writer connected and closed.
   */
  public FifoReader openForReading() throws IOException {
    int fd;
    try {
      fd = LibC.INSTANCE.open(path.toString(), LibC.O_RDONLY | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new NativeIoException("open FIFO " + path + " for reading", e);
    }
    return new FifoReader(new OwnedDescriptor(fd, "FIFO " + path + " (read end)"));
  }

  /** Opens the write end, blocking until a reader has the FIFO open (POSIX FIFO semantics). */
  public FifoWriter openForWriting() throws IOException {
    int fd;
    try {
      fd = LibC.INSTANCE.open(path.toString(), LibC.O_WRONLY | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      throw new NativeIoException("open FIFO " + path + " for writing", e);
    }
    return new FifoWriter(new OwnedDescriptor(fd, "FIFO " + path + " (write end)"));
  }

  /** Removes the FIFO's name; open ends keep working. */
  public void delete() throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public String toString() {
    return "FIFO " + path;
  }
}
