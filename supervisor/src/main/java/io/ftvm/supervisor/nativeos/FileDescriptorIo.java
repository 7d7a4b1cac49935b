package io.ftvm.supervisor.nativeos;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.time.Duration;

/**
 * Blocking-with-deadline I/O on a raw descriptor. Reads go through poll() first because closing a
 * descriptor does not wake a thread blocked in read(2) on Linux; bounded waits let readers notice
 * that their device was closed.
 */
final class FileDescriptorIo {
  /** What poll reported for the descriptor. */
  enum Readiness {
    READABLE,
    HANG_UP,
    TIMED_OUT
  }

  private FileDescriptorIo() {}

  static Readiness awaitReadable(int fd, Duration timeout, String what) throws NativeIoException {
    try (Memory pollFd = new Memory(8)) {
      pollFd.setInt(0, fd);
      pollFd.setShort(4, LibC.POLLIN);
      pollFd.setShort(6, (short) 0);
      int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(0, timeout.toMillis()));
      int ready;
      try {
        ready = LibC.INSTANCE.poll(pollFd, 1, timeoutMillis);
      } catch (LastErrorException e) {
        if (e.getErrorCode() == LibC.EINTR) {
          return Readiness.TIMED_OUT;
        }
        throw new NativeIoException("poll on " + what, e);
      }
      if (ready == 0) {
        return Readiness.TIMED_OUT;
      }
      short revents = pollFd.getShort(6);
      if ((revents & LibC.POLLIN) != 0) {
        return Readiness.READABLE;
      }
      if ((revents & LibC.POLLNVAL) != 0) {
        throw new NativeIoException(
            "poll on " + what, new LastErrorException(9 /* EBADF: descriptor was closed */));
      }
      return Readiness.HANG_UP;
    }
  }
}
