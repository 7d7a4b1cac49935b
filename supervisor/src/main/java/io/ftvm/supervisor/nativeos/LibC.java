package io.ftvm.supervisor.nativeos;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The few libc calls ftvm needs that the JDK does not offer: raw file descriptors for TAP devices
 * and FIFOs, ioctls and poll. Every call reports failure through {@link LastErrorException} so the
 * errno text reaches the caller's error message.
 */
interface LibC extends Library {
  LibC INSTANCE = Native.load("c", LibC.class);

  int O_RDONLY = 0;
  int O_WRONLY = 1;
  int O_RDWR = 2;
  int O_NONBLOCK = 0x800;
  int O_CLOEXEC = 0x80000;

  int F_GETFL = 3;
  int F_SETFL = 4;
  int F_SETPIPE_SZ = 1031;
  int F_GETPIPE_SZ = 1032;

  short POLLIN = 0x1;
  short POLLERR = 0x8;
  short POLLHUP = 0x10;
  short POLLNVAL = 0x20;

  long FIONREAD = 0x541B;
  long TUNSETIFF = 0x400454caL;

  int EINTR = 4;
  int EAGAIN = 11;

  int open(String path, int flags) throws LastErrorException;

  int close(int fd) throws LastErrorException;

  long read(int fd, byte[] buffer, long count) throws LastErrorException;

  long write(int fd, byte[] buffer, long count) throws LastErrorException;

  int mkfifo(String path, int mode) throws LastErrorException;

  int ioctl(int fd, long request, Pointer argument) throws LastErrorException;

  int ioctl(int fd, long request, IntByReference argument) throws LastErrorException;

  int fcntl(int fd, int command, int argument) throws LastErrorException;

  int poll(Pointer fds, long count, int timeoutMillis) throws LastErrorException;

  String strerror(int errno);
}
