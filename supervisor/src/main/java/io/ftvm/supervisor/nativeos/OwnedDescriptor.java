package io.ftvm.supervisor.nativeos;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A file descriptor we opened ourselves and must close exactly once.
 *
 * <p>I/O holds the read lock and close the write lock, so a descriptor number is never closed while
 * a syscall is using it (Linux reuses numbers at once, and a late read could otherwise hit an
 * unrelated file). Waits are sliced so a pending read gives way to close within one slice.
 */
final class OwnedDescriptor implements AutoCloseable {
  private static final Duration POLL_SLICE = Duration.ofMillis(100);

  private final int fd;
  private final String description;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  OwnedDescriptor(int fd, String description) {
    this.fd = fd;
    this.description = description;
  }

  String description() {
    return description;
  }

  /**
   * Reads what is available, waiting up to {@code timeout} for something to arrive.
   *
   * @return bytes read; 0 if nothing arrived in time; -1 at end of stream (peer hung up)
   */
  /** Waits until a read would not block (data, or the writer hung up); false on timeout. */
  boolean awaitReadable(Duration timeout) throws IOException {
    lock.readLock().lock();
    try {
      ensureOpen();
      return FileDescriptorIo.awaitReadable(fd, timeout, description)
          != FileDescriptorIo.Readiness.TIMED_OUT;
    } finally {
      lock.readLock().unlock();
    }
  }

  int read(byte[] buffer, int offset, int length, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      Duration slice = left.compareTo(POLL_SLICE) < 0 ? left : POLL_SLICE;
      lock.readLock().lock();
      try {
        ensureOpen();
        FileDescriptorIo.Readiness readiness =
            FileDescriptorIo.awaitReadable(fd, slice, description);
        if (readiness == FileDescriptorIo.Readiness.READABLE
            || readiness == FileDescriptorIo.Readiness.HANG_UP) {
          int read = readNow(buffer, offset, length);
          if (read != 0 || readiness == FileDescriptorIo.Readiness.HANG_UP) {
            return read == 0 ? -1 : read;
          }
        }
      } finally {
        lock.readLock().unlock();
      }
      if (left.isZero()) {
        return 0;
      }
    }
  }

  private int readNow(byte[] buffer, int offset, int length) throws NativeIoException {
    byte[] target = offset == 0 ? buffer : new byte[length];
    long read;
    try {
      read = LibC.INSTANCE.read(fd, target, length);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
        return 0;
      }
      throw new NativeIoException("read from " + description, e);
    }
    if (offset != 0 && read > 0) {
      System.arraycopy(target, 0, buffer, offset, (int) read);
    }
    return (int) read;
  }

  /** Writes all bytes, as one write(2) when the kernel takes them at once (TAP: one frame). */
  int write(byte[] buffer, int offset, int length) throws IOException {
    byte[] source = offset == 0 ? buffer : Arrays.copyOfRange(buffer, offset, offset + length);
    lock.readLock().lock();
    try {
      ensureOpen();
      return (int) LibC.INSTANCE.write(fd, source, length);
    } catch (LastErrorException e) {
      throw new NativeIoException("write of " + length + " bytes to " + description, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  int ioctlInt(long request, String what) throws IOException {
    IntByReference value = new IntByReference();
    lock.readLock().lock();
    try {
      ensureOpen();
      LibC.INSTANCE.ioctl(fd, request, value);
      return value.getValue();
    } catch (LastErrorException e) {
      throw new NativeIoException(what + " on " + description, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  int fcntl(int command, int argument, String what) throws IOException {
    lock.readLock().lock();
    try {
      ensureOpen();
      return LibC.INSTANCE.fcntl(fd, command, argument);
    } catch (LastErrorException e) {
      throw new NativeIoException(what + " on " + description, e);
    } finally {
      lock.readLock().unlock();
    }
  }

  boolean isOpen() {
    lock.readLock().lock();
    try {
      return !closed;
    } finally {
      lock.readLock().unlock();
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException(description + " is closed");
    }
  }

  @Override
  public void close() throws NativeIoException {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      LibC.INSTANCE.close(fd);
    } catch (LastErrorException e) {
      throw new NativeIoException("close of " + description, e);
    } finally {
      lock.writeLock().unlock();
    }
  }
}
